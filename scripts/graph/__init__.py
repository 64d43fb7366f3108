"""The rules of a call-script graph (schema 1): validation, variables, navigation, diff, SVG.

Pure: dicts in, answers out, no ORM. The agent console, the script editor and the import
all use these functions, so a graph means the same thing everywhere.

The parts:

- schema: the vocabulary (node kinds, answer types, outcome fields, dispositions,
  variables) and the GraphError and Edge records;
- reading: reading a graph (nodes, options, edges, next node, medical nodes, reach, layers);
- text: render_text, the variables of a text filled in;
- validation: validate() and the grouping of its errors;
- walk: replay(), a walk through the script (the preview and the runner);
- compare: diff() between two versions, and text_changes();
- svg: to_svg(), the graph as a picture.

Everything public is re-exported here: use `from scripts import graph as script_graph` and
`script_graph.<name>`.
"""

from scripts.graph import compare, reading, schema, svg, text, validation, walk
from scripts.graph.compare import *  # noqa: F403
from scripts.graph.reading import *  # noqa: F403
from scripts.graph.schema import *  # noqa: F403
from scripts.graph.svg import *  # noqa: F403
from scripts.graph.text import *  # noqa: F403
from scripts.graph.validation import *  # noqa: F403
from scripts.graph.walk import *  # noqa: F403

__all__ = [
    *compare.__all__,
    *reading.__all__,
    *schema.__all__,
    *svg.__all__,
    *text.__all__,
    *validation.__all__,
    *walk.__all__,
]
