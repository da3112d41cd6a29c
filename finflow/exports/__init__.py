"""Exports for other tools: FollowTheMoney (Aleph), GEXF/GraphML (Gephi), Excel and i2 Analyst's Notebook.

Each format is one module with one ``write_*`` function taking an :class:`ExportCase`
(:mod:`finflow.exports.context`); ``finflow export FORMAT`` is the command over them.
"""

from finflow.exports.context import ExportCase, load_export_case

__all__ = ["FORMATS", "ExportCase", "load_export_case"]

#: Format name -> what it is for (``finflow export --help`` lists them).
FORMATS: dict[str, str] = {
    "ftm": "FollowTheMoney entities as JSON lines (Aleph, OpenAleph, ftm tools); needs finflow[ftm]",
    "gexf": "aggregated money graph for Gephi and Gephi Lite",
    "graphml": "aggregated money graph as GraphML (Gephi, yEd, Cytoscape, networkx)",
    "xlsx": "one Excel workbook: summary, suspects, victims, findings, evidence, sources, rejects",
    "i2": "entity and link CSVs for an i2 Analyst's Notebook import specification",
}
