"""Terms of the PROCESS tables (family: process), in the field's Chinese vocabulary."""

TERMS = {
    "proc_title": ("PROCESS model {model}: {name}", "PROCESS模型{model}：{name}"),
}
