"""Prometheus' text exposition format, for the bridge's /metrics and Odoo's /callcenter/metrics. No Odoo."""


def render(metrics):
    """``metrics``: [(name, help, kind, [(labels dict, value)])]; samples whose value is None are left out."""
    lines = []
    for name, help_text, kind, samples in metrics:
        lines += [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
        for labels, value in samples:
            if value is None:
                continue
            text = ",".join(f'{key}="{label(raw)}"' for key, raw in labels.items())
            lines.append(f"{name}{{{text}}} {float(value):g}")
    return "\n".join(lines) + "\n"


def label(value):
    """A label value: backslashes, quotes and newlines escaped."""
    return str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
