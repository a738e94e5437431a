"""Full-text search: the index (models), its queries (service), and the documents of the
registry's people and organisations, which are written on every flush (directory): listening
from the first import of the package, so that every door, command and test keeps them in step."""

from api.search import directory

directory.listen()
