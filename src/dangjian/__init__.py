"""dangjian-topics: paragraph-level themes for Chinese news on grassroots party building.

Subpackages: :mod:`dangjian.model` (the library: reading, cleaning,
tokenization, the theme model, bundles), :mod:`dangjian.training` (training,
evaluation, the annotation store) and :mod:`dangjian.service` (the commands
that label and clean, the HTTP service). ``dangjian`` on the command line is
:func:`dangjian.cli.main`.
"""
