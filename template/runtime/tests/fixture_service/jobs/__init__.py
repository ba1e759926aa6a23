"""The service's jobs, one module each: payload model, spec and function side by side.

The worker and the API discover every module here (no list to keep): adding a job is
adding a module. These four are examples; keep, change or delete them.
"""
