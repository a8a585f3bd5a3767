"""The talking head: portrait -> face geometry; audio + emotion -> motion; motion -> video."""
