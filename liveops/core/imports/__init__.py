"""The import framework: one way to bring spreadsheets into LiveOps, whatever they hold.

Kinds of import register in ``registry``; ``readers`` turn CSV/XLSX files into polars batches;
``runner`` checks and writes them batch by batch; ``services`` starts runs (inline or as a
django-tasks background task); ``views``/``api``/the ``liveops_import`` command are the ways in.
"""
