// django-celery-beat's periodic-task form in the admin: say what the chosen crontab means,
// as the package's own inline script does (the Content-Security-Policy allows no inline script).
window.addEventListener("load", function () {
  "use strict";
  var $ = window.django && window.django.jQuery;
  if (!$) return;
  var readable = JSON.parse($("#readable-crontabs").text());
  var help = $(".field-crontab .help"), original = help.text();
  $(".field-crontab_translation").hide();
  $(".field-crontab").change(function () {
    help.text(original).append("<br>").append(document.createTextNode(
      "Translation: " + (readable[$("#id_crontab").val()] || "")));
  });
});
