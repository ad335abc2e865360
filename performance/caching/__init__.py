"""The caching layer behind ``performance.cache``: namespaces, the resilient
Redis backend, the safe serializer and compressor, statistics."""
