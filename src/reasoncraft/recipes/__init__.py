"""Multi-stage pipelines built from the library's pieces, one module per recipe."""
