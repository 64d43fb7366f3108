"""Server-rendered pages, one module per role."""
