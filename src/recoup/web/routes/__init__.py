"""One module per page group; each holds an APIRouter named `router`."""
