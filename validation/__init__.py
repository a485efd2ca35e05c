"""Great Expectations suites (as reviewed JSON files under ``suites/``) and the publish gate.

Nothing here is implemented yet: this subpackage is filled by the validation issue. It may
import ``newsspan.dataset`` and nothing else of newsspan.
"""

__all__: list[str] = []
