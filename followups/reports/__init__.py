"""Read-side report queries for supervisors: one module per report, aggregated in SQL so
each page costs a fixed number of queries however much history there is."""
