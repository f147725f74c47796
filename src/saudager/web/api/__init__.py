"""The JSON API under ``/api/v1``, one module per area; each adds its routes with
``add_routes``. Route handlers only check access and call services."""
