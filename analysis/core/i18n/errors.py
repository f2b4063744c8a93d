"""Chinese gist of the one-line errors (exit 2) under ``--lang zh``. key: (en, zh).

The English message names file, line, row and column and stays first on the line; under
``--lang zh`` the line goes on with the Chinese gist of the message (matched by
:data:`avoid_survey.analysis.core.errors.ERROR_GIST`), so no error is English-only."""

TERMS = {
    "err_prefix": (" | error: ", " | 错误："),
    "err_file_not_found": ("file not found", "文件不存在，请检查路径"),
    "err_needs_instrument": ("the command needs --instrument", "需要 --instrument（内置问卷编号或问卷 YAML 文件路径）"),
    "err_no_scale": ("the instrument has no such scale or facet", "问卷中没有该量表或维度（错误信息列出了可用的编号）"),
    "err_yaml": ("the YAML file cannot be used", "YAML 文件无法使用（格式无效或含不允许的内容）"),
    "err_output_exists": ("the output file exists", "输出文件已存在；加 --force 才会覆盖"),
    "err_unsupported_type": ("unsupported file type", "不支持的文件类型（错误信息列出了可用的扩展名）"),
    "err_column_missing": ("a column is not in the data", "数据中找不到该列（请核对列名或问卷）"),
    "err_unknown_variable": ("unknown variable", "未知变量：既不是数据中的列，也不是问卷的量表"),
    "err_not_numeric": ("the column is not numeric", "该列不是数值型，无法按要求计算"),
    "err_model": ("the model cannot be estimated", "模型无法估计（识别不足、样本过少或矩阵奇异）"),
    "err_encoding": ("the file cannot be decoded", "无法识别文件编码（支持 UTF-8 与 GB18030/GBK）"),
    "err_option": ("an option or argument is wrong", "命令行选项或参数有误（用 --help 查看用法）"),
    "err_groups": ("the grouping does not work", "分组变量不可用（至少需要两组）"),
    "err_spec": ("the spec or model file cannot be used", "模型设定文件无法使用"),
    "err_write": ("the output cannot be written", "输出无法写入（磁盘已满、超过文件大小限制或文件夹不可写）；未写入任何内容"),
    "err_not_regular": ("the input is not a regular file", "输入不是普通文件（管道、设备或文件夹）；请先保存为文件"),
    "err_output_input": ("an output would replace an input", "输出会覆盖本次运行读取的文件或另一个输出；请换一个输出文件名"),
    "err_no_data": ("there is nothing to analyse", "没有可分析的数据（没有数据行，或所有条目均未作答）"),
    "err_not_finite": ("a value is not a finite number", "存在非有限数值（inf、nan 或超大数），请留空表示缺失"),
    "err_too_large": ("the file is larger than the cap", "文件声明的规模超过上限；可设置相应的 AVOID_SURVEY_MAX_* 环境变量放宽"),
    "err_workbook": ("the workbook cannot be read", "Excel 工作簿无法读取（已加密或不是有效的 .xlsx）；请另存为无密码的 .xlsx 或 CSV"),
    "err_ragged": ("a row has the wrong number of fields", "某行字段数与表头不一致；运行 avoid-survey validate 查看全部"),
    "err_generic": ("the input cannot be used", "输入、问卷或设定文件无法使用；具体原因见本行前面的英文说明"),
}
