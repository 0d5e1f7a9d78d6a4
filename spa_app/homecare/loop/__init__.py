"""The care loop between visits."""
