"""Files in and out (layer 4): readers for txt/md/docx/csv/xlsx/jsonl, formula-safe atomic writers, batch
labelling (``label``) on local cores (``parallel``) or a Dask cluster (``cluster``). May import every lower layer."""
