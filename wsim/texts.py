"""Words people read, in English and Chinese: headings, sentences, table and plot labels.

Every text the decision report, the terminal summary and the plots show (besides KPI labels,
which are in :mod:`wsim.metrics.catalog`, and scenario texts, which are shown as written) is a
key of :data:`TEXTS` with one version per language of :data:`LANGUAGES`. A text may name
values in braces (``{option}``), filled in by :func:`text`; both versions name the same ones
(a test checks it). Money is written by :func:`money` (``1.11 M CNY``, ``111.3万元``).
"""

from __future__ import annotations

import math
import re
import string
import unicodedata

#: Languages of the texts: English and (simplified) Chinese.
LANGUAGES: tuple[str, ...] = ("en", "zh")

TEXTS: dict[str, dict[str, str]] = {
    # --- the page ----------------------------------------------------------------------------
    "report.title": {"en": "Reform options for {center}", "zh": "{center}改革方案比选"},
    "report.subtitle": {
        "en": "{reforms} reform options compared with the baseline, {baseline}: {reps} "
        "simulated replications of {days} open days each, on common random numbers.",
        "zh": "{reforms}个改革方案与基准方案（{baseline}）比较：每个方案模拟{reps}次，每次{days}"
        "个工作日，采用共同随机数。",
    },
    # --- the decision ------------------------------------------------------------------------
    "decision.heading": {"en": "The decision", "zh": "决策建议"},
    "budget.both": {
        "en": "Budget: {one_off} one-off and {yearly} a year.",
        "zh": "预算：一次性投入{one_off}，每年{yearly}。",
    },
    "budget.one_off": {"en": "Budget: {one_off} one-off.", "zh": "预算：一次性投入{one_off}。"},
    "budget.yearly": {"en": "Budget: {yearly} a year.", "zh": "预算：每年{yearly}。"},
    "budget.none": {
        "en": "No budget was stated: every option is allowed.",
        "zh": "未设定预算：所有方案均可选。",
    },
    "decision.recommend": {"en": "Recommended: {option}", "zh": "建议采用：{option}"},
    "decision.recommend_portfolio": {
        "en": "Recommended: the portfolio {option}",
        "zh": "建议采用组合方案：{option}",
    },
    "decision.keep_baseline": {
        "en": "Recommended: no reform; keep {option}",
        "zh": "建议：暂不改革，维持{option}",
    },
    "decision.keep_baseline_why": {
        "en": "No option within the budget gives citizens more than it costs, at the values "
        "stated below.",
        "zh": "按下列价值假设，预算内没有一个方案的群众收益超过其成本。",
    },
    "decision.cost": {
        "en": "Cost: {cost} a year ({interval}).",
        "zh": "成本：每年{cost}（{interval}）。",
    },
    "decision.cost_parts": {
        "en": "{one_off} one-off spread over {years} years at {rate} ({annualised} a year), "
        "{yearly} a year, and a change in staff cost of {staff} a year (scaled from the "
        "{days} simulated days to {days_per_year} open days).",
        "zh": "一次性投入{one_off}按{rate}折现率分摊{years}年（每年{annualised}），每年运行费用"
        "{yearly}，人员成本每年变化{staff}（由模拟的{days}个工作日折算为每年{days_per_year}"
        "个工作日）。",
    },
    "decision.gains": {"en": "What citizens gain each year:", "zh": "群众每年获益："},
    "decision.net_benefit": {
        "en": "Net benefit: {nb} a year ({interval}), valuing an hour of waiting at "
        "{wait_hour}, a trip at {trip} and an hour of lead time at {lead_hour}.",
        "zh": "净收益：每年{nb}（{interval}），按每小时等候{wait_hour}、每次跑动{trip}、每小时"
        "办理时长{lead_hour}计。",
    },
    "decision.certainty": {
        "en": "In {p} of the paired replications it has the highest net benefit of the "
        "options within the budget.",
        "zh": "在{p}的配对重复模拟中，它是预算内净收益最高的方案。",
    },
    "decision.certainty_all": {
        "en": "In {p} of the paired replications it has the highest net benefit of all options.",
        "zh": "在{p}的配对重复模拟中，它是全部方案中净收益最高的。",
    },
    "decision.runner_up": {"en": "Runner-up: {option}.", "zh": "次优方案：{option}。"},
    "decision.no_runner_up": {
        "en": "There is no other option to compare with.",
        "zh": "没有其他可比较的方案。",
    },
    "decision.advantage": {
        "en": "The recommendation's advantage in net benefit: {gap} a year ({interval}).",
        "zh": "建议方案的净收益优势：每年{gap}（{interval}）。",
    },
    "decision.portfolio_levers": {
        "en": "Levers of the portfolio: {levers}.",
        "zh": "组合包含的措施：{levers}。",
    },
    "decision.portfolio_lost": {
        "en": "The optimizer's portfolio, {option}, is not the recommendation: {reason}",
        "zh": "优化器给出的组合方案{option}未被采纳：{reason}",
    },
    "decision.portfolio_solver": {"en": "Solver: {status}.", "zh": "求解器：{status}。"},
    "decision.table_caption": {
        "en": "All options: the recommendation first, then by net benefit per year. Intervals "
        "are paired {confidence} intervals over the replications.",
        "zh": "全部方案：建议方案在前，其余按每年净收益排序。区间为重复模拟的{confidence}"
        "配对置信区间。",
    },
    "decision.more": {
        "en": "How these figures are made, and what they assume: see Cost-effectiveness "
        "and the technical appendix.",
        "zh": "计算方法与假设见“成本效果分析”和技术附录。",
    },
    # --- why the runner-up lost --------------------------------------------------------------
    "reason.over_budget": {
        "en": "it is over the budget: {parts}.",
        "zh": "超出预算：{parts}。",
    },
    "reason.over_one_off": {
        "en": "its one-off cost of {cost} exceeds the one-off budget of {budget}",
        "zh": "一次性投入{cost}超过一次性预算{budget}",
    },
    "reason.over_yearly": {
        "en": "its yearly cost of {cost} exceeds the yearly budget of {budget}",
        "zh": "每年运行费用{cost}超过年度预算{budget}",
    },
    "reason.and": {"en": " and ", "zh": "，且"},
    "reason.dominated": {
        "en": "it costs more and gives citizens less than {other}: {more} a year more for "
        "{less} fewer citizen-hours a year.",
        "zh": "与{other}相比成本更高而群众获益更少：每年多花{more}，每年少节省{less}小时。",
    },
    "reason.dominated_equal": {
        "en": "it gives citizens no more than {other} and costs at least as much.",
        "zh": "群众获益不多于{other}，而成本不低于它。",
    },
    "reason.extended": {
        "en": "it is extendedly dominated: a mix of {low} and {high} would give citizens "
        "more for less (each extra citizen-hour costs more with it than with {high}).",
        "zh": "被扩展占优：{low}与{high}的组合能以更低成本带来更多群众获益（每多节省一小时，它的"
        "成本高于{high}）。",
    },
    "reason.lower": {
        "en": "its net benefit is lower, by {gap} a year ({interval}).",
        "zh": "净收益较低，每年低{gap}（{interval}）。",
    },
    "reason.equal": {
        "en": "its net benefit is the same, and it costs {extra} a year more.",
        "zh": "净收益相同，但每年多花{extra}。",
    },
    "reason.equal_first": {
        "en": "its net benefit and cost are the same; the recommendation is listed first.",
        "zh": "净收益与成本相同；建议方案排列在前。",
    },
    # --- gains, costs, table columns ---------------------------------------------------------
    "gain.wait_hours": {"en": "hours of waiting saved", "zh": "节省等候时间（小时）"},
    "gain.trips": {"en": "trips to the hall avoided", "zh": "减少跑动（次）"},
    "gain.lead_days": {
        "en": "days of lead time saved (summed over cases)",
        "zh": "缩短办理时长（件·天）",
    },
    "gain.on_time_cases": {"en": "more cases decided on time", "zh": "增加按时办结（件）"},
    "gain.constant": {"en": "the same in every option", "zh": "各方案相同"},
    "gain.not_measured": {
        "en": "not measured by these scenarios",
        "zh": "这些场景未测量此项",
    },
    "column.option": {"en": "option", "zh": "方案"},
    "column.decision": {"en": "decision", "zh": "决策"},
    "column.nb": {"en": "net benefit ({currency} a year)", "zh": "净收益（{currency}/年）"},
    "column.cost": {"en": "cost ({currency} a year)", "zh": "成本（{currency}/年）"},
    "column.wait_hours": {"en": "waiting saved (hours a year)", "zh": "节省等候（小时/年）"},
    "column.trips": {"en": "trips avoided (a year)", "zh": "减少跑动（次/年）"},
    "column.lead_days": {"en": "lead time saved (case-days a year)", "zh": "缩短办理（件·天/年）"},
    "column.on_time_cases": {"en": "more on time (cases a year)", "zh": "增加按时办结（件/年）"},
    "column.effect": {
        "en": "citizen-hours saved (a year, equivalent)",
        "zh": "节省群众时间（小时/年，折算）",
    },
    "column.status": {"en": "status", "zh": "状态"},
    "column.status_all": {"en": "status among all options", "zh": "在全部方案中的状态"},
    "column.icer": {
        "en": "ICER ({currency} per citizen-hour)",
        "zh": "增量成本效果比（{currency}/小时）",
    },
    "column.icer_vs": {"en": "against", "zh": "比较对象"},
    "column.p_best": {"en": "probability best", "zh": "最优概率"},
    "column.description": {"en": "what it does", "zh": "方案内容"},
    "column.one_off": {"en": "one-off ({currency})", "zh": "一次性投入（{currency}）"},
    "column.yearly": {"en": "yearly ({currency} a year)", "zh": "运行费用（{currency}/年）"},
    "column.annualised": {
        "en": "one-off per year ({currency} a year)",
        "zh": "一次性投入年均（{currency}/年）",
    },
    "column.staff": {
        "en": "staff cost change ({currency} a year)",
        "zh": "人员成本变化（{currency}/年）",
    },
    "column.kpi": {"en": "measure", "zh": "指标"},
    "column.kpi_id": {"en": "identifier", "zh": "标识符"},
    "column.baseline": {"en": "baseline", "zh": "基准"},
    "column.change": {"en": "change", "zh": "变化"},
    "column.verdict": {"en": "verdict", "zh": "判断"},
    "column.mid": {"en": "minimal important difference", "zh": "最小重要差异"},
    "column.source": {"en": "source", "zh": "来源"},
    "column.mean": {"en": "mean", "zh": "均值"},
    "column.interval": {"en": "interval", "zh": "区间"},
    "column.paired_interval": {"en": "paired interval", "zh": "配对区间"},
    "column.relative": {"en": "relative", "zh": "相对变化"},
    "column.n": {"en": "n", "zh": "样本数"},
    "column.field": {"en": "field", "zh": "字段"},
    "column.this_option": {"en": "this option", "zh": "本方案"},
    "column.scenario": {"en": "scenario", "zh": "场景"},
    "column.file": {"en": "file", "zh": "文件"},
    "column.digest": {"en": "scenario digest (SHA-256)", "zh": "场景摘要（SHA-256）"},
    "column.setting": {"en": "assumption", "zh": "假设"},
    "column.value": {"en": "value", "zh": "取值"},
    "role.recommended": {"en": "recommended", "zh": "建议采用"},
    "role.runner-up": {"en": "runner-up", "zh": "次优"},
    "role.over_budget": {"en": "over budget", "zh": "超出预算"},
    "role.baseline": {"en": "baseline", "zh": "基准"},
    "status.efficient": {"en": "efficient", "zh": "有效"},
    "status.extendedly dominated": {"en": "extendedly dominated", "zh": "被扩展占优"},
    "status.dominated": {"en": "dominated", "zh": "被占优"},
    "verdict.better": {"en": "better", "zh": "改善"},
    "verdict.worse": {"en": "worse", "zh": "变差"},
    "verdict.uncertain": {"en": "uncertain", "zh": "不确定"},
    "verdict.no material change": {"en": "no material change", "zh": "无实质变化"},
    "verdict.unknown": {"en": "unknown", "zh": "未知"},
    "unit.per_year": {"en": "{amount} a year", "zh": "每年{amount}"},
    "unit.percentage_points": {"en": "{amount} percentage points", "zh": "{amount}个百分点"},
    "unit.of_mean": {"en": "{amount} of the baseline mean", "zh": "基准均值的{amount}"},
    "unit.or": {"en": "{a}, at least {b}", "zh": "{a}，且不少于{b}"},
    "interval": {"en": "{low} to {high}", "zh": "{low}至{high}"},
    "source.default": {"en": "wsim default", "zh": "wsim默认值"},
    "source.scenario": {"en": "baseline scenario", "zh": "基准场景"},
    "source.comparison": {"en": "comparison", "zh": "比较设置"},
    "source.override": {"en": "command or portfolio", "zh": "命令行或组合方案"},
    # --- cost-effectiveness ------------------------------------------------------------------
    "ce.heading": {"en": "Cost-effectiveness", "zh": "成本效果分析"},
    "ce.intro": {
        "en": "Options by cost per year. Citizens' gains are counted in citizen-hours: an "
        "hour of waiting saved counts 1, a trip avoided {trip_hours} hours and a case-day of "
        "lead time saved {lead_hours} hours (the stated values over the value of an hour of "
        "waiting). An option is dominated when another costs no more and gives at least as "
        "much; extendedly dominated when a mix of two others gives more for less. The ICER is "
        "the extra cost per extra citizen-hour against the next cheaper efficient option: an "
        "efficient option is worth its extra cost when its ICER is below the value of a "
        "citizen-hour ({value}).",
        "zh": "按每年成本排序。群众获益折算为小时：节省1小时等候计1小时，减少1次跑动计{trip_hours}"
        "小时，缩短1件·天办理时长计{lead_hours}小时（各项价值除以每小时等候的价值）。若另一方案"
        "成本不高且获益不少，则该方案被占优；若两个方案的组合能以更低成本带来更多获益，则被扩展"
        "占优。增量成本效果比（ICER）是相对于较便宜的有效方案，每多节省一小时的额外成本：当它低于"
        "每小时群众时间的价值（{value}）时，该方案值得其额外成本。",
    },
    "ce.budget_note": {
        "en": "The status is among the options within the budget; over-budget options are "
        "shown for reference with their status among all options.",
        "zh": "状态按预算内方案判断；超出预算的方案仅供参考，并给出其在全部方案中的状态。",
    },
    "ce.assumptions": {"en": "Assumptions", "zh": "假设"},
    "setting.discount_rate": {"en": "discount rate (per year)", "zh": "折现率（每年）"},
    "setting.horizon_years": {
        "en": "horizon of one-off costs (years)",
        "zh": "一次性投入分摊年限（年）",
    },
    "setting.days_per_year": {"en": "open days per year", "zh": "每年工作日"},
    "setting.simulated_days": {"en": "simulated open days", "zh": "模拟工作日"},
    "setting.wait_hour": {
        "en": "value of an hour of waiting ({currency})",
        "zh": "每小时等候的价值（{currency}）",
    },
    "setting.lead_hour": {
        "en": "value of an hour of lead time ({currency})",
        "zh": "每小时办理时长的价值（{currency}）",
    },
    "setting.trip": {
        "en": "value of a trip avoided ({currency})",
        "zh": "每次跑动的价值（{currency}）",
    },
    "setting.budget.one_off": {
        "en": "one-off budget ({currency})",
        "zh": "一次性预算（{currency}）",
    },
    "setting.budget.yearly": {
        "en": "yearly budget ({currency} a year)",
        "zh": "年度预算（{currency}/年）",
    },
    "setting.none": {"en": "none", "zh": "无"},
    "ce.settings_note": {
        "en": "Change them in the baseline scenario's decision block (docs/decision_rules.md).",
        "zh": "可在基准场景的 decision 配置中修改（见 docs/decision_rules.md）。",
    },
    # --- effects -----------------------------------------------------------------------------
    "effects.heading": {
        "en": "What changes for citizens and staff",
        "zh": "对群众和工作人员的影响",
    },
    "effects.intro": {
        "en": "Change of each option against the baseline. A change is called better or worse "
        "only when its paired {confidence} interval excludes zero and it is larger than the "
        "measure's minimal important difference (technical appendix); otherwise it is no "
        "material change, or uncertain when it is large but its interval includes zero.",
        "zh": "各方案相对基准的变化。只有当配对{confidence}置信区间不含零、且变化超过该指标的最小"
        "重要差异（见技术附录）时，才判断为改善或变差；否则为无实质变化；变化较大但区间含零时为"
        "不确定。",
    },
    "effects.constant": {
        "en": "The same in every option and replication, so not shown: {kpis}.",
        "zh": "以下指标在所有方案和重复模拟中均相同，未列出：{kpis}。",
    },
    # --- costs, plots, appendix ----------------------------------------------------------------
    "costs.heading": {"en": "Options and their costs", "zh": "方案及其成本"},
    "costs.intro": {
        "en": "Costs against the baseline. The cost per year adds the one-off cost spread over "
        "the horizon, the yearly cost and the change in staff cost found by the simulation, "
        "scaled from the simulated days to a year.",
        "zh": "相对基准的成本。每年成本 = 一次性投入按年分摊 + 每年运行费用 + 模拟得到的人员成本"
        "变化（由模拟天数折算为一年）。",
    },
    "day.heading": {"en": "The day in the hall", "zh": "大厅一天的运行"},
    "plots.tables_note": {
        "en": "Hourly plots and distributions use the first {keep} of {reps} replications of "
        "each option; the other figures use all of them.",
        "zh": "分时图和分布图使用每个方案前{keep}次（共{reps}次）重复模拟；其他数据使用全部模拟。",
    },
    "plots.no_cases": {
        "en": "These scenarios record no cases (lead time, trips): those plots are left out.",
        "zh": "这些场景不记录办件（办理时长、跑动），相关图未列出。",
    },
    "plots.english": {
        "en": "",
        "zh": "未找到中文字体，图中文字为英文（可安装 fonts-noto-cjk 或 fonts-wqy-zenhei）。",
    },
    "appendix.heading": {"en": "Technical appendix", "zh": "技术附录"},
    "appendix.changes": {
        "en": "What each option changes in the scenario",
        "zh": "各方案对场景的修改",
    },
    "appendix.no_changes": {
        "en": "No change to the scenario besides its name, description and cost.",
        "zh": "除名称、说明和成本外，未修改场景。",
    },
    "appendix.mids": {"en": "Minimal important differences", "zh": "最小重要差异"},
    "appendix.kpis": {"en": "Every measure", "zh": "全部指标"},
    "appendix.show": {"en": "Show the table ({rows} rows)", "zh": "展开表格（{rows}行）"},
    "appendix.precision": {"en": "Number of replications", "zh": "重复模拟次数"},
    "appendix.precision_reached": {
        "en": "Replications were added until every option's {confidence} interval half-width "
        "of the chosen measures was within {precision} of its mean: reached with {reps}.",
        "zh": "持续增加重复模拟，直到各方案所选指标的{confidence}置信区间半宽不超过均值的"
        "{precision}：在{reps}次时达到。",
    },
    "appendix.precision_missed": {
        "en": "Replications were added until every option's {confidence} interval half-width "
        "of the chosen measures was within {precision} of its mean: not reached within "
        "{reps} replications.",
        "zh": "持续增加重复模拟，直到各方案所选指标的{confidence}置信区间半宽不超过均值的"
        "{precision}：在{reps}次内未达到。",
    },
    "appendix.repro": {"en": "Reproducibility", "zh": "可重复性"},
    "repro.version": {"en": "wsim version", "zh": "wsim版本"},
    "repro.python": {"en": "Python", "zh": "Python"},
    "repro.libraries": {"en": "libraries", "zh": "依赖库"},
    "repro.seed": {"en": "seed", "zh": "随机种子"},
    "repro.replications": {"en": "replications per option", "zh": "每个方案的重复模拟次数"},
    "repro.started": {"en": "run started", "zh": "开始运行"},
    "repro.written": {"en": "report written", "zh": "报告生成"},
    "repro.run_time": {
        "en": "run time (this command; stored replications are not run again)",
        "zh": "运行时间（本次命令；已存储的模拟不重复运行）",
    },
    "repro.executor": {"en": "executor", "zh": "执行方式"},
    "repro.folder": {"en": "results folder", "zh": "结果文件夹"},
    "repro.command": {"en": "command", "zh": "命令"},
    "repro.note": {
        "en": "The same scenarios (equal digests), seed and number of replications give the "
        "same numbers on any executor and any number of workers.",
        "zh": "相同的场景（摘要一致）、随机种子和重复次数，在任何执行方式和进程数下结果相同。",
    },
    # --- figures -----------------------------------------------------------------------------
    "figure.plane": {"en": "The cost-effectiveness plane", "zh": "成本效果平面"},
    "figure.plane_caption": {
        "en": "Cost per year against citizen-hours saved per year, each against the baseline "
        "(black square). Small dots: the paired replications; large: the means. The black line "
        "joins the efficient options; options below the dashed line (the value of a "
        "citizen-hour, {value}) give citizens more than they cost.",
        "zh": "每年成本与每年节省的群众时间（均相对基准，黑色方块）。小点为各次配对模拟，"
        "大点为均值。"
        "黑线连接有效方案；位于虚线（每小时群众时间价值{value}）下方的方案，群众获益大于成本。",
    },
    "figure.acceptability": {"en": "The acceptability curve", "zh": "成本效果可接受曲线"},
    "figure.acceptability_caption": {
        "en": "Probability that each option has the highest net benefit (share of the paired "
        "replications), at each value of a citizen-hour (logarithmic axis); the dashed line "
        "is the stated value. Options within the budget; options never best are left out.",
        "zh": "在不同的每小时群众时间价值下（对数坐标），各方案净收益最高的概率（配对模拟中的"
        "比例）；虚线为设定价值。仅含预算内方案，从未最优的方案未画出。",
    },
    "figure.effects": {"en": "Changes with their intervals", "zh": "变化及其区间"},
    "figure.effects_caption": {
        "en": "Change of each option against the baseline with its paired {confidence} "
        "interval; the grey band is the minimal important difference. Green: better; red: "
        "worse; grey: no material change; orange: uncertain.",
        "zh": "各方案相对基准的变化及其{confidence}配对区间；灰色带为最小重要差异。绿色：改善；"
        "红色：变差；灰色：无实质变化；橙色：不确定。",
    },
    "figure.wait": {"en": "Waiting by hour of day", "zh": "分时段等候时间"},
    "figure.wait_caption": {
        "en": "Mean wait of served tickets by hour of arrival; band: 95% interval over the "
        "replications; the baseline is the thick black line.",
        "zh": "按到达时段的已办理取号平均等候时间；阴影为重复模拟的95%区间；粗黑线为基准。",
    },
    "figure.queue": {"en": "Queue over the day", "zh": "全天排队人数"},
    "figure.queue_caption": {
        "en": "Time-average number of citizens waiting in the hall, by hour; the baseline is "
        "the thick black line.",
        "zh": "大厅中等候人数的时间平均值（分时段）；粗黑线为基准。",
    },
    "figure.utilization": {"en": "Window utilization by hour", "zh": "分时段窗口利用率"},
    "figure.utilization_caption": {
        "en": "Busy window-minutes over scheduled window-minutes, by hour; above 1 where clerks "
        "finish their citizens after the schedule closes windows (at lunch).",
        "zh": "忙碌窗口分钟数除以排班窗口分钟数（分时段）；午间窗口按排班关闭后工作人员仍在办理时"
        "可大于1。",
    },
    "figure.lead": {"en": "Lead-time distribution", "zh": "办理时长分布"},
    "figure.lead_caption": {
        "en": "Share of completed cases decided within a number of days; the axis ends at the "
        "99th percentile ({days} days).",
        "zh": "在给定天数内办结的已办结件比例；横轴截至99分位数（{days}天）。",
    },
    "figure.trips": {"en": "Trips per case", "zh": "每件跑动次数"},
    "figure.trips_caption": {
        "en": "Share of cases by the number of trips to the hall.",
        "zh": "按跑动次数统计的办件比例。",
    },
    "figure.alt": {"en": "Plot: {title}", "zh": "图：{title}"},
    # --- plot labels -------------------------------------------------------------------------
    "plot.baseline": {"en": "{option} (baseline)", "zh": "{option}（基准）"},
    "plot.effect_axis": {
        "en": "citizen-hours saved per year ({unit})",
        "zh": "每年节省群众时间（{unit}）",
    },
    "plot.cost_axis": {"en": "cost per year ({unit})", "zh": "每年成本（{unit}）"},
    "scale.e0": {"en": "{unit}", "zh": "{unit}"},
    "scale.e3": {"en": "thousand {unit}", "zh": "千{unit}"},
    "scale.e4": {"en": "ten thousand {unit}", "zh": "万{unit}"},
    "scale.e6": {"en": "million {unit}", "zh": "百万{unit}"},
    "unit.hours": {"en": "hours", "zh": "小时"},
    "plot.replications": {"en": "replications", "zh": "各次模拟"},
    "plot.frontier": {"en": "efficient frontier", "zh": "有效前沿"},
    "plot.value_line": {
        "en": "value of a citizen-hour ({value})",
        "zh": "每小时群众时间价值（{value}）",
    },
    "plot.value_axis": {
        "en": "value of a citizen-hour ({currency})",
        "zh": "每小时群众时间价值（{currency}）",
    },
    "plot.probability": {"en": "probability of the highest net benefit", "zh": "净收益最高的概率"},
    "plot.stated_value": {"en": "stated value", "zh": "设定价值"},
    "plot.mid_band": {"en": "minimal important difference", "zh": "最小重要差异"},
    "plot.change_title": {
        "en": "Change against the baseline (paired {confidence} intervals)",
        "zh": "相对基准的变化（{confidence}配对区间）",
    },
    "plot.lower_better": {"en": "{label}, lower is better", "zh": "{label}，越低越好"},
    "plot.higher_better": {"en": "{label}, higher is better", "zh": "{label}，越高越好"},
    "plot.points_suffix": {"en": " (percentage points)", "zh": "（百分点）"},
    "plot.hour_of_day": {"en": "hour of day", "zh": "时段"},
    "plot.by_hour": {"en": "{measure} by hour of day", "zh": "分时段{measure}"},
    "plot.lead_axis": {
        "en": "lead time (days, first contact to result)",
        "zh": "办理时长（天，从首次接触到出结果）",
    },
    "plot.completed_share": {"en": "share of completed cases", "zh": "已办结件比例"},
    "plot.trips_axis": {"en": "hall trips per case", "zh": "每件到大厅次数"},
    "plot.cases_share": {"en": "share of cases", "zh": "办件比例"},
    "plot.no_data": {"en": "no data kept for this plot", "zh": "本图没有保留数据"},
    # --- terminal ------------------------------------------------------------------------------
    "short.option": {"en": "option", "zh": "方案"},
    "short.decision": {"en": "decision", "zh": "决策"},
    "short.nb": {"en": "net benefit", "zh": "净收益"},
    "short.cost": {"en": "cost", "zh": "成本"},
    "short.wait_hours": {"en": "waiting saved", "zh": "节省等候"},
    "short.trips": {"en": "trips avoided", "zh": "减少跑动"},
    "short.lead_days": {"en": "lead time saved", "zh": "缩短办理"},
    "short.on_time_cases": {"en": "more on time", "zh": "增加按时"},
    "short_unit.option": {"en": "", "zh": ""},
    "short_unit.decision": {"en": "", "zh": ""},
    "short_unit.nb": {"en": "{currency}/year", "zh": "{currency}/年"},
    "short_unit.cost": {"en": "{currency}/year", "zh": "{currency}/年"},
    "short_unit.wait_hours": {"en": "hours/year", "zh": "小时/年"},
    "short_unit.trips": {"en": "trips/year", "zh": "次/年"},
    "short_unit.lead_days": {"en": "case-days/year", "zh": "件·天/年"},
    "short_unit.on_time_cases": {"en": "cases/year", "zh": "件/年"},
    "cli.run": {
        "en": "{options} options, {reps} replications each, seed {seed}, {executor}, {seconds} s",
        "zh": "{options}个方案，每个{reps}次模拟，随机种子{seed}，{executor}，{seconds}秒",
    },
    "cli.report": {"en": "report: {path}", "zh": "报告：{path}"},
}


def check_language(lang: str) -> str:
    """`lang` if it is one of :data:`LANGUAGES`, else a ValueError listing them."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; choose one of: {', '.join(LANGUAGES)}")
    return lang


def placeholders(template: str) -> set[str]:
    """The names a text fills in (``{option}`` -> ``option``)."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def text(key: str, lang: str = "en", **values: object) -> str:
    """The text `key` in `lang`, with `values` filled in; a KeyError names an unknown key."""
    try:
        template = TEXTS[key][check_language(lang)]
    except KeyError:
        raise KeyError(f"no text {key!r}") from None
    return template.format(**values) if values else template


class Words:
    """The texts of one language, as a callable: ``t = Words("zh"); t("decision.heading")``."""

    def __init__(self, lang: str = "en") -> None:
        self.lang = check_language(lang)

    def __call__(self, key: str, **values: object) -> str:
        """The text `key` with `values` filled in."""
        return text(key, self.lang, **values)


def money(amount: float, currency: str = "CNY", lang: str = "en") -> str:
    """An amount of money for people: ``1.11 M CNY``, ``85,681 CNY``; ``111.3万元`` in Chinese.

    Millions keep three significant digits in English; Chinese counts in 万 (10,000) and 亿
    (100 million) as Chinese budgets do. A missing amount is an en dash.
    """
    if amount is None or not math.isfinite(float(amount)):
        return "\u2013"
    x = float(amount)
    if check_language(lang) == "zh":
        unit = "元" if currency == "CNY" else currency
        size = abs(x)
        if size >= 1e8:
            return f"{x / 1e8:,.2f}亿{unit}"
        if size >= 1e4:
            return f"{x / 1e4:,.1f}万{unit}"
        return f"{x:,.0f}{unit}"
    if abs(x) >= 1e6:
        return f"{x / 1e6:,.{_decimals(x / 1e6)}f} M {currency}"
    return f"{x:,.0f} {currency}"


def _decimals(x: float) -> int:
    """Decimals for about three significant digits of `x` (at least 0)."""
    size = abs(x)
    return 2 if size < 10 else 1 if size < 100 else 0


# Chinese punctuation that never starts a line.
_CLOSING = set("\uff09\u3002\uff0c\u3001\uff1b\uff1a\uff01\uff1f\u300d\u300f")


def display_width(text: str) -> int:
    """Columns `text` takes in a terminal or a plot: two for each Chinese (wide) character."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def wrap(text: str, width: int) -> list[str]:
    """`text` in lines of at most `width` display columns (a longer word keeps its line).

    Lines break at spaces and between Chinese characters, never before closing punctuation.
    """
    tokens = re.findall(r"\s+|[^\s\u3000-\u9fff\uff00-\uffef]+|.", text)
    lines, line, used = [], "", 0
    for token in tokens:
        if token.isspace():
            if line:
                line, used = line + " ", used + 1
            continue
        size = display_width(token)
        if line and used + size > width and token not in _CLOSING:
            lines.append(line.rstrip())
            line, used = "", 0
        line, used = line + token, used + size
    if line.strip():
        lines.append(line.rstrip())
    return lines or [text]
