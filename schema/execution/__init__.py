"""A graphql-core executor that reads plain attribute fields without resolve info.

Hot reads return strawberry objects whose nested fields are plain attributes
(DESIGN.md, Performance). For those fields strawberry's default resolver only
calls ``getattr``, yet graphql-core still builds a ``GraphQLResolveInfo``, calls
three Python frames of resolver and walks ``complete_value`` for every one of
them: over half the execution time of a listing (benchmarks/execution_micro.py).

``FastExecutionContext`` (given to strawberry as ``execution_context_class``)
reads such a field itself when its value can be completed without any decision
that needs the info, and otherwise declines before doing anything observable, so
that graphql-core runs the field from the start. Everything unusual declines:
directives or arguments on the field, a resolver, field extensions or
permissions, awaitables, ``Exception`` values, abstract types, objects whose
``is_type_of`` might need the info, a null for a non-null type, a value its
scalar refuses, resolve middleware (strawberry extensions with a ``resolve``
hook). So errors, their paths and locations, null propagation, ``@defer`` and
``@stream`` stay graphql-core's own.

The modules, from the bottom up:

- ``preloading``: the field metadata marking a look-ahead relation;
- ``plans``: what was decided about a field (``FieldPlan``) or a sub-selection
  (``Tree``), and the ``DECLINED`` marker;
- ``planning``: deciding a field's plan from the schema, once per schema;
- ``leaves``, ``objects``, ``trees``: completing leaves, accepting objects and
  completing whole trees as graphql-core would, or declining;
- ``shared_trees``: trees reused by every request of one parsed operation;
- ``gathering``: awaiting pending fields and items as graphql-core does;
- ``tree_execution``: the executor layer answering pure trees at once;
- ``executor``: ``FastExecutionContext``, reading plain fields one by one;
- ``requirements``: the library versions and internals this relies on, checked
  at start-up (``fast_execution_problems``).

tests/schema/test_execution.py compares both executors on generated selections,
errors included, and tests/schema/test_library_contracts.py pins down the
library internals used here; they are the checks to rerun when graphql-core or
strawberry changes.
"""

from schema.execution.executor import FastExecutionContext
from schema.execution.preloading import preloaded
from schema.execution.requirements import fast_execution_problems

__all__ = ["FastExecutionContext", "fast_execution_problems", "preloaded"]
