"""Default org template of a live-streaming e-commerce company (直播电商公司).

Units, duties and positions derived from the seed files ``duty-map.md`` (duty IDs and what the
platform provides) and ``org-duties.zh.md`` (the company's department duties). Titles and summaries
are condensed in our own words; ``provides_en`` is the "the platform provides" column of the duty
map, shared by every ID of an expanded range.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class UnitT:
    code: str  # stable short code
    kind: str  # "body" | "office" | "centre" | "department"
    parent: str | None  # code of the parent unit
    name_zh: str
    name_en: str
    summary_zh: str  # 1-2 sentences: what this unit is responsible for, in our own words
    summary_en: str


@dataclass(frozen=True)
class DutyT:
    code: str  # duty ID exactly as in duty-map.md, ranges expanded
    unit: str  # code of the unit holding it
    title_zh: str  # the duty in concise Chinese, our own words
    title_en: str  # the duty in English, our own words
    provides_en: str  # what the platform provides for it (duty-map.md column)


@dataclass(frozen=True)
class PositionT:
    code: str  # slug, unique
    unit: str
    title_zh: str
    title_en: str
    is_manager: bool  # exactly one manager position per unit that has positions
    reports_to: str | None  # position code
    headcount_plan: int


# ---------------------------------------------------------------------------
# Units (parents before children)
# ---------------------------------------------------------------------------

UNITS: list[UnitT] = [
    UnitT(
        "GOV-SH",
        "body",
        None,
        "股东会",
        "Shareholders' meeting",
        "公司最高权力机构，决定经营方针、重大投资、利润分配、合并分立和章程修改。",
        "The company's highest authority: decides business policy, major investments, profit "
        "distribution, mergers and splits, and amendments to the articles.",
    ),
    UnitT(
        "GOV-BD",
        "body",
        "GOV-SH",
        "董事会",
        "Board of directors",
        "受股东会委托的常设决策机构，负责预算决算、关键人员任免和组织架构设置。",
        "Standing decision body mandated by the shareholders: approves budgets and final accounts, "
        "appoints key managers and sets the organisation structure.",
    ),
    UnitT(
        "GOV-SV",
        "body",
        "GOV-SH",
        "监事会",
        "Supervisory board",
        "对全体股东负责，检查公司财务，监督董事和高级管理人员履职。",
        "Answers to all shareholders: inspects the company's finances and oversees how directors "
        "and senior managers perform their duties.",
    ),
    UnitT(
        "GOV-CH",
        "office",
        "GOV-BD",
        "董事长",
        "Chairman",
        "公司法定代表人，主持经营管理，推动董事会决议落地并把控整体财务状况。",
        "Legal representative of the company: leads management, drives board resolutions to "
        "completion and keeps overall control of the financial position.",
    ),
    UnitT(
        "GM",
        "office",
        "GOV-CH",
        "总经理",
        "General manager",
        "在董事会监督下主持日常经营，制定战略、年度计划与预算，并带领各中心完成经营目标。",
        "Runs day-to-day operations under board oversight, sets strategy, annual plan and budget, "
        "and leads the centres to meet the business targets.",
    ),
    # Centres
    UnitT(
        "LC",
        "centre",
        "GM",
        "电商直播运营中心",
        "E-commerce live operations centre",
        "统筹全渠道店铺与直播间运营，管理营销预算、竞品情报和每日商品结构。",
        "Runs every shop and live room across channels, owns the marketing budget, competitor "
        "intelligence and the daily product line-up.",
    ),
    UnitT(
        "MC",
        "centre",
        "GM",
        "招商中心",
        "Merchant recruitment centre",
        "负责品牌与品类规划、招商选品、商务谈判和商品质量把关。",
        "Plans brands and categories, selects products from merchants, negotiates deals and "
        "guards product quality.",
    ),
    UnitT(
        "AC",
        "centre",
        "GM",
        "主播孵化中心",
        "Anchor incubation centre",
        "招募、签约、培训和分级管理主播与KOL，挖掘其商业价值。",
        "Recruits, signs, trains and grades anchors and KOLs, and develops their commercial value.",
    ),
    UnitT(
        "CC",
        "centre",
        "GM",
        "内容运营中心",
        "Content operations centre",
        "制定内容与品牌传播策略，产出短视频、文案和视觉素材，并监测网络舆情。",
        "Sets content and brand strategy, produces short videos, copy and visuals, and monitors "
        "public opinion online.",
    ),
    UnitT(
        "IT",
        "centre",
        "GM",
        "信息技术中心",
        "IT centre",
        "规划和维护公司信息系统与信息安全，并为直播现场提供技术支持。",
        "Plans and runs the company's information systems and security, and gives on-site "
        "technical support to live streams.",
    ),
    UnitT(
        "WL",
        "centre",
        "GM",
        "仓储物流中心",
        "Warehouse & logistics centre",
        "管理仓库、库存与发货流程，考核快递承运商，控制仓储物流成本。",
        "Manages warehouses, stock and the shipping flow, appraises carriers and keeps warehouse "
        "and logistics costs down.",
    ),
    # Departments under LC
    UnitT(
        "EC",
        "department",
        "LC",
        "电商运营部",
        "E-commerce operations",
        "负责各平台店铺的日常运营、活动日历、运营指标和爆款打造。",
        "Runs the shops on each platform day to day, owns the activity calendar, shop KPIs and "
        "hit-product building.",
    ),
    UnitT(
        "LS",
        "department",
        "LC",
        "直播运营部",
        "Live-stream operations",
        "负责直播间排班、排品、脚本、场中控制和场后复盘，提升直播转化。",
        "Schedules live sessions, builds line-ups and scripts, controls the stream and reviews each "
        "session to lift conversion.",
    ),
    UnitT(
        "MB",
        "department",
        "LC",
        "会员运营部",
        "Membership operations",
        "负责会员全生命周期运营、等级权益、积分、分群与用户画像。",
        "Runs the full member lifecycle: tiers and benefits, points, segments and member personas.",
    ),
    UnitT(
        "CS",
        "department",
        "LC",
        "电商客服部",
        "E-commerce customer service",
        "处理售前咨询与售后工单，考核客服质量，并与仓储、品控协同解决问题。",
        "Handles pre-sale questions and after-sales tickets, measures service quality and works "
        "with warehouse and QC to resolve issues.",
    ),
    # Departments under MC
    UnitT(
        "MR",
        "department",
        "MC",
        "直播招商部",
        "Live merchant recruitment",
        "拓展和维护品牌商家，建设商家库与商品库，推进选品从提报到排期。",
        "Finds and maintains brand merchants, builds the merchant and product libraries and moves "
        "candidates from proposal to scheduling.",
    ),
    UnitT(
        "QC",
        "department",
        "MC",
        "直播品控部",
        "Live quality control",
        "制定品控标准，检验样品和来货，审核商家资质，拦截不良品和假冒商品。",
        "Sets quality standards, inspects samples and inbound goods, checks merchant credentials "
        "and blocks defective or counterfeit products.",
    ),
    # Departments under AC
    UnitT(
        "AB",
        "department",
        "AC",
        "主播经纪部",
        "Anchor brokerage",
        "管理经纪人与星探，招募签约新主播，并跟踪主播内容与粉丝数据。",
        "Manages brokers and scouts, recruits and signs new anchors, and tracks anchor content and fan data.",
    ),
    UnitT(
        "AT",
        "department",
        "AC",
        "主播培训部",
        "Anchor training",
        "建设主播培训课程与讲师队伍，组织授课并评估培训效果。",
        "Builds anchor courses and the trainer team, runs classes and measures training results.",
    ),
    UnitT(
        "KOL",
        "department",
        "AC",
        "KOL运营部",
        "KOL operations",
        "为签约KOL做定位、内容推广、私域运营和商务合作对接。",
        "Positions signed KOLs and handles their content promotion, private traffic and brand deals.",
    ),
    # Departments under CC
    UnitT(
        "SV",
        "department",
        "CC",
        "短视频运营部",
        "Short video",
        "搭建并运营各平台短视频账号矩阵，负责视频生产、投放和数据分析。",
        "Builds and runs the short-video account matrix across platforms: production, promotion "
        "and analytics.",
    ),
    UnitT(
        "CW",
        "department",
        "CC",
        "文案策划部",
        "Copywriting & planning",
        "撰写策划方案、商品详情和活动文案，规划店铺活动与品牌推广。",
        "Writes proposals, product detail pages and campaign copy, and plans shop activities and "
        "brand promotion.",
    ),
    UnitT(
        "VD",
        "department",
        "CC",
        "视觉设计部",
        "Visual design",
        "负责电商整体视觉风格，以及直播间物料、海报、主图和店铺页面设计。",
        "Owns the e-commerce visual identity and designs live-room materials, posters, main images "
        "and shop pages.",
    ),
    # Departments directly under GM
    UnitT(
        "GMO",
        "department",
        "GM",
        "总经理办公室",
        "General manager's office",
        "协助总经理处理日常事务，跟进决议与经营计划的落实和督办。",
        "Supports the general manager day to day and follows up on resolutions and business plans "
        "until they are done.",
    ),
    UnitT(
        "FIN",
        "department",
        "GM",
        "财务部",
        "Finance",
        "负责与商家、主播的结算，以及预算、决算和资金核算。",
        "Settles accounts with merchants and anchors and owns budgets, final accounts and bookkeeping.",
    ),
    UnitT(
        "HR",
        "department",
        "GM",
        "人力资源部",
        "Human resources & administration",
        "管理员工、岗位与汇报关系，组织绩效考核并负责行政事务。",
        "Manages staff, positions and reporting lines, runs performance appraisals and handles "
        "administration.",
    ),
]


# ---------------------------------------------------------------------------
# Duties (order of duty-map.md, ranges expanded)
# ---------------------------------------------------------------------------


def _unit_of(code: str) -> str:
    return code.rsplit("-", 1)[0]


def _d(code: str, title_zh: str, title_en: str, provides_en: str) -> DutyT:
    return DutyT(code, _unit_of(code), title_zh, title_en, provides_en)


_P_GOV_SH = (
    "Governance register: meetings (type, date, attendees, agenda), proposals and resolutions with "
    "votes and outcome, attached documents, articles-of-association versions"
)
_P_GOV_BD = (
    "Same register for board meetings; budget approval state; appointment records; org-structure "
    "changes take effect only with an approving resolution on record"
)
_P_GOV_SV = (
    "A read-only auditor role that sees finance figures, the audit log and every resolution, and can "
    "file questions/motions against a resolution"
)
_P_GOV_CH = (
    "Resolution follow-up (action items with owner, due date, status, overdue alerts); executive "
    "dashboard of finance and operations; contract register with signing authority by amount"
)
_P_AB_1_2 = "Brokers with their anchors; a broker sees only their own anchors"
_P_KOL_3_4 = "Content items per KOL with placement and metrics"
_P_CC_1_3 = "Content calendar across channels; campaigns linking content to products and sessions"
_P_CC_5_6 = "Content performance vs product conversion"
_P_SV_1_2 = (
    "Accounts per platform; video production pipeline: idea → script → shoot → edit → review → published"
)
_P_SV_4_5 = "Reference library of benchmark videos with notes"
_P_CW_1_3 = "Copy tasks per product/campaign with versions and review"
_P_CW_4_5 = "Activity plans on the marketing calendar"
_P_VD_1_6 = (
    "Design requests (type, size, due date, requester, linked session/product) with review; asset "
    "library with versions"
)
_P_HR = "(HR)"

DUTIES: list[DutyT] = [
    # Governance: shareholders' meeting
    _d(
        "GOV-SH-1",
        "决定公司经营方针和投资计划。",
        "Decide the business policy and investment plans.",
        _P_GOV_SH,
    ),
    _d(
        "GOV-SH-2",
        "选举、罢免和更换董事、监事。",
        "Elect, remove and replace directors and supervisors.",
        _P_GOV_SH,
    ),
    _d(
        "GOV-SH-3",
        "审批董事会和监事会的工作报告。",
        "Approve the reports of the board and the supervisory board.",
        _P_GOV_SH,
    ),
    _d(
        "GOV-SH-4",
        "对经营方案和重大事项作出决议。",
        "Resolve on business plans and major matters.",
        _P_GOV_SH,
    ),
    _d(
        "GOV-SH-5",
        "审批利润分配和亏损弥补方案。",
        "Approve profit distribution and loss-recovery plans.",
        _P_GOV_SH,
    ),
    _d(
        "GOV-SH-6",
        "就公司合并、分立、解散和清算作出决议。",
        "Resolve on mergers, splits, dissolution and liquidation of the company.",
        _P_GOV_SH,
    ),
    _d(
        "GOV-SH-7",
        "审议重大投资以及收购、转让、兼并事项。",
        "Review major investments, acquisitions, transfers and mergers.",
        _P_GOV_SH,
    ),
    _d("GOV-SH-8", "修改并批准公司章程。", "Amend and approve the articles of association.", _P_GOV_SH),
    # Governance: board
    _d(
        "GOV-BD-1",
        "召集股东会并向其汇报工作。",
        "Convene shareholders' meetings and report to them.",
        _P_GOV_BD,
    ),
    _d("GOV-BD-2", "聘任和解聘重要管理人员。", "Appoint and dismiss key managers.", _P_GOV_BD),
    _d(
        "GOV-BD-3", "制订年度财务预算和决算方案。", "Draw up the annual budget and final accounts.", _P_GOV_BD
    ),
    _d("GOV-BD-4", "拟定公司章程修改方案。", "Draft amendments to the articles of association.", _P_GOV_BD),
    _d("GOV-BD-5", "决定公司组织机构设置。", "Decide the company's organisation structure.", _P_GOV_BD),
    # Governance: supervisory board
    _d("GOV-SV-1", "检查公司财务状况。", "Inspect the company's finances.", _P_GOV_SV),
    _d(
        "GOV-SV-2",
        "监督董事和高管的履职行为。",
        "Oversee how directors and senior managers perform their duties.",
        _P_GOV_SV,
    ),
    _d("GOV-SV-3", "提议召开临时股东会。", "Propose extraordinary shareholders' meetings.", _P_GOV_SV),
    _d("GOV-SV-4", "向股东会提出议案。", "Table motions at shareholders' meetings.", _P_GOV_SV),
    _d(
        "GOV-SV-5",
        "列席董事会并对决议事项提出质询或建议。",
        "Attend board meetings and raise questions or suggestions on resolutions.",
        _P_GOV_SV,
    ),
    # Governance: chairman
    _d(
        "GOV-CH-1",
        "主持经营管理并组织执行董事会决议。",
        "Lead management and organise the execution of board resolutions.",
        _P_GOV_CH,
    ),
    _d(
        "GOV-CH-2",
        "组织实施年度经营计划和投资方案。",
        "Carry out the annual business plan and investment programmes.",
        _P_GOV_CH,
    ),
    _d(
        "GOV-CH-3",
        "检查董事会决议落实情况并向董事会报告。",
        "Check how board resolutions are implemented and report back to the board.",
        _P_GOV_CH,
    ),
    _d(
        "GOV-CH-4",
        "提名总经理及高管的聘任解聘并决定其薪酬待遇。",
        "Nominate, pay and dismiss the general manager and other senior managers.",
        _P_GOV_CH,
    ),
    _d(
        "GOV-CH-5",
        "审查总经理提出的发展计划及执行结果。",
        "Review the general manager's development plans and their results.",
        _P_GOV_CH,
    ),
    _d(
        "GOV-CH-6",
        "定期审阅财务及重要报表，掌控公司整体财务状况。",
        "Review financial and other key statements regularly to control the overall financial position.",
        _P_GOV_CH,
    ),
    _d(
        "GOV-CH-7",
        "签署重要对外合同及上报的重要文件。",
        "Sign major external contracts and key documents submitted outward.",
        _P_GOV_CH,
    ),
    _d(
        "GOV-CH-8",
        "处理董事会授权的其他重大事项。",
        "Handle other major matters delegated by the board.",
        _P_GOV_CH,
    ),
    # General manager
    _d(
        "GM-1",
        "主持日常经营，制定战略、年度计划、预算和收入目标，搭建各业务体系。",
        "Run daily operations; set strategy, annual plan, budget and revenue targets; build the "
        "marketing, live, merchant, anchor and training systems.",
        "Annual/monthly targets (GMV, gross profit, cost) cascaded to centres, departments and people; "
        "plan vs actual",
    ),
    _d(
        "GM-2",
        "执行董事会决议，完成董事会下达的经营目标。",
        "Execute board resolutions and meet the targets the board sets.",
        "Resolution action items assigned down the org tree",
    ),
    _d(
        "GM-3",
        "确定经营目标和规划方案，报董事会批准后组织实施。",
        "Set targets and plans, get board approval, then lead their execution.",
        "Plan and budget documents with an approval flow ending at the board",
    ),
    _d(
        "GM-4",
        "管理各部门，评价和考核部门负责人。",
        "Manage all departments and appraise their heads.",
        "Performance reviews (KPI scores + comments) per period for department heads",
    ),
    _d(
        "GM-5",
        "监督经营、销售和财务，建设平台规则、主播激励和培训体系。",
        "Supervise operations, sales and finance; oversee platform rules, anchor incentives and training.",
        "Company cockpit: live GMV, orders, returns, stock, cash-relevant figures, by day/week/month, "
        "drill-down to department",
    ),
    # LC
    _d(
        "LC-1",
        "统筹全渠道店铺与直播运营，涵盖团队、活动、用户增长、会员和客服。",
        "Run every channel end to end: team, campaigns, live, user growth, members and service.",
        "One view of every shop and live room across Douyin, Kuaishou, Taobao and others",
    ),
    _d(
        "LC-2",
        "收集市场和竞品的选款、定价信息并提出应对方案。",
        "Gather market and competitor intelligence on assortment and pricing and propose responses.",
        "Competitor/benchmark records (other rooms' products, prices, sales estimates) beside our own",
    ),
    _d(
        "LC-3",
        "规划和管控营销活动及广告投放预算。",
        "Plan and control the marketing and advertising budgets.",
        "Budgets per campaign/channel, ad-spend records (e.g. 千川/直通车), ROI = attributed GMV / spend, "
        "alerts on overspend",
    ),
    _d(
        "LC-4",
        "跟踪平台动态和商品数据，优化商品结构和每日直播款式。",
        "Track platform changes and product data to tune the product structure and daily line-up.",
        "Product performance table (clicks, conversion, GMV, return rate) that feeds the next session's "
        "line-up",
    ),
    _d(
        "LC-5",
        "建设直播运营团队，培养内部人才。",
        "Build the live-operations team and develop talent from within.",
        "Staff, roles and KPIs of the team (shared with HR)",
    ),
    # EC
    _d(
        "EC-1",
        "负责店铺日常运营、推广，提升流量和转化率。",
        "Run shops day to day, promote them and raise traffic and conversion.",
        "Shops per platform; daily traffic/conversion metrics (imported from platform exports)",
    ),
    _d(
        "EC-2",
        "开展市场分析并制定产品推广方案。",
        "Analyse the market and draw up product promotion plans.",
        "Campaign plans with goals and linked products",
    ),
    _d(
        "EC-3",
        "编制年度平台活动计划和费用预算。",
        "Prepare the annual platform activity calendar and its cost budget.",
        "Marketing calendar (618, 双11, 年货节…) with budgets",
    ),
    _d(
        "EC-4",
        "设计流量、会员注册率、点击率等运营指标并跟进达成。",
        "Define shop KPIs such as traffic, member sign-up rate and page CTR, and follow them up.",
        "Configurable KPI definitions with targets and tracking",
    ),
    _d(
        "EC-5",
        "打造平台爆款，推动新品快速起量。",
        "Build hit products and get new launches selling fast.",
        "Product lifecycle tags (new, hit, long-tail, clearance) computed from sales",
    ),
    _d("EC-6", "组建、管理和培训运营团队。", "Build, manage and train the operations team.", _P_HR),
    # LS
    _d(
        "LS-1",
        "负责抖音、快手、淘宝等直播间日常运营，策划每场内容和目标。",
        "Run live rooms on Douyin, Kuaishou, Taobao and others; plan each session's content and targets.",
        "Live rooms (platform, account, anchors); session schedule (排班) in a calendar; targets per session",
    ),
    _d(
        "LS-2",
        "拆解直播转化漏斗逐环优化，设计场内玩法。",
        "Break down the conversion funnel, optimise each step and design in-stream mechanics.",
        "Session funnel: impressions → entries → product exposures → clicks → orders → paid, with rates, "
        "GPM, UV value; mechanics (coupons, flash sales, lucky bags) on the line-up",
    ),
    _d(
        "LS-3",
        "策划直播内容：排品、脚本、数据分析，以及场前准备、场中控制和场后跟进。",
        "Plan session content (product matching, scripts, data) and handle prep, in-stream control "
        "and follow-up.",
        "Line-up (排品) with order, price, stock, selling points; run-of-show script (脚本) by time slot; "
        "checklist before go-live; real-time session dashboard during the stream",
    ),
    _d(
        "LS-4",
        "挖掘用户需求、提升粉丝与互动，定期复盘沉淀方法并建立素材库。",
        "Find user needs, grow fans and engagement, review sessions into reusable methods and keep an "
        "asset library.",
        "Post-session review (复盘) with metrics vs target, notes, lessons and action items; a searchable "
        "library of scripts and assets",
    ),
    _d(
        "LS-5",
        "管理直播团队，组织培训，制定绩效考核与激励。",
        "Manage the live team, train it and set its KPIs and incentives.",
        "Staff on each session (anchor, assistant, field controller 场控, operator) and their "
        "per-session results",
    ),
    # MB
    _d(
        "MB-1",
        "搭建会员全生命周期运营，改善获客、转化和留存。",
        "Run the full member lifecycle and improve acquisition, conversion and retention.",
        "Buyers from every channel merged into members; lifecycle stage (new, active, dormant, churned) "
        "and cohort retention",
    ),
    _d(
        "MB-2",
        "建立会员等级、成长和权益体系。",
        "Build the member system of tiers, growth and benefits.",
        "Tier rules on growth value; benefits per tier; automatic upgrade/downgrade",
    ),
    _d(
        "MB-3",
        "设计用户分层分群，管理精准营销渠道。",
        "Design member segments and groups and run precise-marketing channels.",
        "Segments by rules (RFM, tags, spend, region, category); audience export for campaigns",
    ),
    _d(
        "MB-4",
        "完善会员权益和积分，策划会员主题营销活动。",
        "Shape member benefits and points and plan member marketing campaigns.",
        "Points ledger (earn, spend, expire, adjust; never negative, fully auditable); member campaigns "
        "with results",
    ),
    _d(
        "MB-5",
        "针对不同等级会员制定并执行专属活动。",
        "Design and run activities for specific member tiers.",
        "Campaigns targeted at tiers/segments",
    ),
    _d(
        "MB-6",
        "深挖用户数据，构建会员标签和画像。",
        "Mine user data to build member tags and personas.",
        "Tags (manual and rule-based), persona page per member and per segment",
    ),
    # CS
    _d(
        "CS-1",
        "建立客服管理、培训、激励体系和部门制度。",
        "Set up the service management, training and incentive systems and department rules.",
        "Knowledge base of standard answers; service policies",
    ),
    _d(
        "CS-2",
        "实时处理咨询、销售和售后中的各类问题。",
        "Resolve consultation, sales and after-sales issues in real time.",
        "Tickets (inquiry, refund, return, exchange, logistics, quality complaint) linked to order, "
        "member and product; queues, assignment, SLA timers",
    ),
    _d(
        "CS-3",
        "提升满意度、转化率和好评率，培训并考核客服人员。",
        "Raise satisfaction, conversion and good-review rates; train and appraise agents.",
        "Per-agent KPIs: first response time, resolution time, CSAT, good-review rate, tickets per day",
    ),
    _d(
        "CS-4",
        "配合店铺促销活动，引导顾客下单。",
        "Support shop promotions and guide customers to buy.",
        "Campaign scripts and FAQs pushed to agents",
    ),
    _d(
        "CS-5",
        "统筹各渠道的销售、售后和仓储发货协同。",
        "Coordinate sales, after-sales and warehouse shipping across channels.",
        "Ticket hand-off to warehouse (reship, intercept) and to QC (quality complaints)",
    ),
    # MC
    _d(
        "MC-1",
        "依据供需制定品牌品类规划和长短期选品计划。",
        "Plan brands and categories and set long- and short-term selection plans from supply and demand.",
        "Category plan with target number of products and brands per season",
    ),
    _d(
        "MC-2",
        "结合市场、渠道和用户画像选品，按季节节日挖掘潜力爆款。",
        "Select categories and new products from market, channel and audience data; spot seasonal hits.",
        "Product pool (选品库) with scores; seasonal calendar",
    ),
    _d(
        "MC-3",
        "分析直播商品销售数据，判断商品周期和价格走势。",
        "Analyse live product sales and judge product cycles and price trends.",
        "Per-product sales history across sessions, price history, sell-through",
    ),
    _d(
        "MC-4",
        "跟进国标和行业质量标准，编写选品报告。",
        "Follow national and industry quality standards and write selection reports.",
        "Standards register (GB numbers per category); selection report per product",
    ),
    _d(
        "MC-5",
        "与品牌商家谈判价格、数量和协议，严控品质。",
        "Negotiate price, volume and terms with brands and keep quality strict.",
        "Deal terms per product: live price, commission rate, slot fee (坑位费), guaranteed stock, "
        "exclusivity; contract records",
    ),
    _d("MC-6", "建设招商选品团队。", "Build the merchant-selection team.", _P_HR),
    # MR
    _d(
        "MR-1",
        "制定招商策略，建立商家合作体系，推动类目升级。",
        "Set the recruitment strategy, build the merchant cooperation system and upgrade categories.",
        "Merchant (brand/supplier) CRM: profile, contacts, categories, cooperation level, history",
    ),
    _d(
        "MR-2",
        "制定选品计划，提炼卖点，挖掘市场热销品。",
        "Draw up the selection plan, extract selling points and find market hits.",
        "Product candidates with selling points, competitor price, target audience",
    ),
    _d(
        "MR-3",
        "依据数据和调研优化品牌招募，补齐缺失品牌。",
        "Refine brand recruitment from data and surveys and fill brand gaps.",
        "Gap analysis: categories/brands missing against the plan",
    ),
    _d(
        "MR-4",
        "拓展商家库和商品库，挖掘优质品牌。",
        "Grow the merchant and product libraries and find strong brands.",
        "Merchant and product libraries with search (including pinyin) and dedupe",
    ),
    _d(
        "MR-5",
        "引进、评估、洽谈和签约商家，把控优惠力度。",
        "Bring in, assess, negotiate with and sign merchants; control discount levels.",
        "Selection pipeline: proposed → sample requested → sample received → QC → approved/rejected → "
        "scheduled; negotiation log",
    ),
    _d(
        "MR-6",
        "汇总商家和市场数据，为选品规划提供支持。",
        "Collect merchant and market data to support selection planning.",
        "Merchant performance: GMV, commission earned, return rate, QC record",
    ),
    # QC
    _d(
        "QC-1",
        "编制品控标准和操作文件，监督选品全过程。",
        "Write QC standards and procedures and supervise the selection process.",
        "Inspection checklists per category (versioned)",
    ),
    _d(
        "QC-2",
        "检验商品质量，记录分析问题并推动纠正预防。",
        "Inspect products, record and analyse quality problems and drive corrective action.",
        "Inspection records on samples and inbound batches (pass/fail per checklist item, photos), "
        "corrective actions (CAPA)",
    ),
    _d(
        "QC-3",
        "核验数量品质，评估商家价格、资质和授权链，识别假冒侵权。",
        "Verify quantity and quality, assess merchant pricing, credentials and authorisation chain, "
        "and detect counterfeits.",
        "Merchant credentials (business licence, brand authorisation chain, test reports) with expiry "
        "alerts; a product cannot be approved while a required credential is missing or expired",
    ),
    _d(
        "QC-4",
        "登记、标识和评审不良品，阻止其进入选品。",
        "Record, label and review defective products so none reach selection.",
        "Defect register; a blocklist that stops a rejected product or merchant from being scheduled",
    ),
    _d(
        "QC-5",
        "跟踪质量反馈和售后数据，协助解决客诉。",
        "Track quality feedback and after-sales data and help resolve complaints.",
        "Quality complaint rate per product/merchant from tickets and returns; alert above a threshold",
    ),
    _d(
        "QC-6",
        "协助评审和考核商家。",
        "Help review and appraise merchants.",
        "Merchant scorecard (quality, compliance, after-sales, delivery) per period",
    ),
    # AC
    _d(
        "AC-1",
        "搭建新人主播孵化与培训体系，涵盖产品、销售、直播和人设技巧。",
        "Build the incubation and training system for new anchors: product, sales, live and persona skills.",
        "Incubation plan per anchor with milestones",
    ),
    _d(
        "AC-2",
        "制定主播制度与合作模式，建立账号矩阵，签约网红。",
        "Set anchor rules and cooperation models, build the account matrix and sign influencers.",
        "Anchor contracts (cooperation model: salary + commission, revenue share, term); account matrix "
        "(anchor × platform account)",
    ),
    _d(
        "AC-3",
        "制定培训框架，以数据评估和分级管理主播。",
        "Set the training framework and grade and evaluate anchors on data.",
        "Anchor grades (S/A/B/C) recomputed from GMV, fans, conversion; evaluation history",
    ),
    _d(
        "AC-4",
        "制定KOL推广策略，依据标签和数据挖掘主播商业价值。",
        "Set the KOL promotion strategy and develop anchors' commercial value from tags and data.",
        "Anchor tags and commercial value figures",
    ),
    _d(
        "AC-5",
        "拓展新人主播渠道，一对一孵化潜力主播。",
        "Open channels for new anchors and incubate promising ones one to one.",
        "Recruitment channels and their yield",
    ),
    _d("AC-6", "建设主播孵化团队。", "Build the incubation team.", _P_HR),
    # AB
    _d(
        "AB-1",
        "拓展、培养和管理经纪人，带队招录新人主播。",
        "Recruit, develop and manage brokers and lead them in hiring new anchors.",
        _P_AB_1_2,
    ),
    _d(
        "AB-2",
        "协助搭建主播经纪管理体系，管理部门经纪人。",
        "Help build the anchor brokerage system and manage the department's brokers.",
        _P_AB_1_2,
    ),
    _d(
        "AB-3",
        "建立新人主播资源库，完善星探激励和评估标准。",
        "Keep a pool of new-anchor talent and set scout incentives and evaluation standards.",
        "Talent pool with sources and scouts; scout rewards on signing; evaluation forms",
    ),
    _d(
        "AB-4",
        "多渠道招募主播并协助完成签约。",
        "Recruit anchors through many channels and see the signing through.",
        "Talent pipeline: lead → audition → offer → signed (or rejected), with contract",
    ),
    _d(
        "AB-5",
        "培养潜力主播，参与选题、脚本和拍摄，保证内容质量。",
        "Develop promising anchors and guide topics, scripts and shoots to keep content quality high.",
        "Anchor content plan linked to content tasks",
    ),
    _d(
        "AB-6",
        "维护主播粉丝和日常事务，整理人气、粉丝等数据。",
        "Look after anchors' fans and daily affairs and track their popularity and fan data.",
        "Daily fan/popularity snapshots per account; growth charts",
    ),
    # AT
    _d(
        "AT-1",
        "建立主播与经纪人培训体系，开发课件并组织授课。",
        "Build the anchor and broker training system, develop courseware and run classes.",
        "Courses, materials, sessions (课次) with attendance",
    ),
    _d("AT-2", "建设和管理培训团队。", "Build and manage the training team.", "Trainers"),
    _d(
        "AT-3",
        "设计化妆、脚本、互动等直播相关课程。",
        "Design live-related courses such as make-up, scripting and audience interaction.",
        "Course catalogue by topic",
    ),
    _d(
        "AT-4",
        "组建培训师队伍，制定导师选拔和激励方案。",
        "Build the trainer pool and set how trainers are selected and rewarded.",
        "Trainer ratings from trainees",
    ),
    _d(
        "AT-5",
        "跟踪培训效果并持续优化课件。",
        "Track results after training and keep improving the courseware.",
        "Before/after performance of trained anchors; assessment scores",
    ),
    # KOL
    _d(
        "KOL-1",
        "为签约KOL定位，制定单次和长期推广计划并提案。",
        "Position signed KOLs and prepare one-off and long-term promotion plans and proposals.",
        "KOL profile (positioning, audience, rate card); promotion plans",
    ),
    _d(
        "KOL-2",
        "维护KOL资源，负责沟通协调与运营机制。",
        "Maintain KOL resources and handle communication, coordination and operating rules.",
        "KOL directory with communication log",
    ),
    _d(
        "KOL-3",
        "包装、策划并跟进KOL内容产出，提升知名度和粉丝量。",
        "Package and plan KOL content to raise their profile and fan base.",
        _P_KOL_3_4,
    ),
    _d(
        "KOL-4",
        "在新媒体平台投放KOL视频和图文，并定期复盘数据。",
        "Place KOL videos and posts on new-media platforms and review the data regularly.",
        _P_KOL_3_4,
    ),
    _d(
        "KOL-5",
        "运营KOL私域流量，包括直播间、粉丝群和朋友圈。",
        "Run KOLs' private traffic: live rooms, fan groups and WeChat moments.",
        "Private-domain channels per KOL with size over time",
    ),
    _d(
        "KOL-6",
        "对接商家，承接契合KOL定位的商务合作。",
        "Work with merchants to win brand deals that fit each KOL.",
        "Commercial deals (brand, fee, deliverables, status)",
    ),
    # CC
    _d(
        "CC-1",
        "制定整体内容运营策略，涵盖品牌推广、营销策划和主播推介。",
        "Set the overall content strategy: brand promotion, marketing plans and anchor promotion.",
        _P_CC_1_3,
    ),
    _d(
        "CC-2",
        "策划平台品牌营销内容和活动，管理品牌CI与媒体传播。",
        "Plan brand marketing content and platform campaigns; manage brand CI and media outreach.",
        _P_CC_1_3,
    ),
    _d(
        "CC-3",
        "制定并推进引流策略，优化内容推广模式与渠道。",
        "Set and drive the traffic strategy and refine content promotion formats and channels.",
        _P_CC_1_3,
    ),
    _d(
        "CC-4",
        "监测网络舆情，制定危机预警和应对策略。",
        "Monitor public opinion online and prepare crisis alerts and responses.",
        "Watch keywords over imported comments, reviews and tickets; alerts on negative spikes; incident "
        "records",
    ),
    _d(
        "CC-5",
        "加工输出满足用户需求的优质内容，提升浏览深度与粘性。",
        "Produce quality content users want, deepening visits and stickiness.",
        _P_CC_5_6,
    ),
    _d(
        "CC-6",
        "分析投放数据，提炼商品卖点，提升成交率。",
        "Analyse placement data and sharpen selling points to raise the close rate.",
        _P_CC_5_6,
    ),
    # SV
    _d(
        "SV-1",
        "搭建淘宝、抖音、快手、西瓜、B站等短视频账号矩阵并负责增长。",
        "Build and grow the short-video account matrix on Taobao, Douyin, Kuaishou, Xigua and Bilibili.",
        _P_SV_1_2,
    ),
    _d(
        "SV-2",
        "负责短视频账号定位、内容策划、后期制作和上线。",
        "Handle account positioning, content planning, post-production and publishing.",
        _P_SV_1_2,
    ),
    _d(
        "SV-3",
        "负责短视频投放、粉丝维护、数据分析和运营报告。",
        "Run promotion, fan care, data analysis and reports for the video accounts.",
        "Per-video and per-account metrics (plays, likes, comments, shares, follows gained, ad spend)",
    ),
    _d(
        "SV-4",
        "研究爆款视频、热点话题和平台新规，推动指标增长。",
        "Study hit videos, trending topics and platform changes to push the metrics up.",
        _P_SV_4_5,
    ),
    _d(
        "SV-5",
        "收集主流直播形式，反馈直播优化建议。",
        "Gather popular live formats and feed back suggestions for our streams.",
        _P_SV_4_5,
    ),
    # CW
    _d(
        "CW-1",
        "把握客户需求，撰写有创意的策划方案。",
        "Understand client needs and write creative, competitive proposals.",
        _P_CW_1_3,
    ),
    _d(
        "CW-2",
        "撰写商品详情文案，提炼亮点卖点，提升转化。",
        "Write product detail copy that brings out selling points and lifts conversion.",
        _P_CW_1_3,
    ),
    _d(
        "CW-3",
        "撰写节日、H5、KOL合作等活动方案并评估效果。",
        "Write campaign plans (holidays, H5, KOL tie-ins) and evaluate their results.",
        _P_CW_1_3,
    ),
    _d(
        "CW-4",
        "制定店铺年度、季度、月度活动策划及文案。",
        "Plan shop activities and their copy by year, quarter and month.",
        _P_CW_4_5,
    ),
    _d(
        "CW-5",
        "结合市场与用户画像制定品牌策略和推广方案。",
        "Shape brand strategy and promotion plans from market and audience insight.",
        _P_CW_4_5,
    ),
    # VD
    _d(
        "VD-1",
        "确立电商整体视觉风格，指导拍摄与模特选择。",
        "Set the overall e-commerce visual style and direct shoots and model choice.",
        _P_VD_1_6,
    ),
    _d(
        "VD-2",
        "设计直播预告长图和各平台推送banner。",
        "Design live preview posters and banners for the various platforms.",
        _P_VD_1_6,
    ),
    _d(
        "VD-3",
        "设计直播间LED背景、挂件、商家模板、主图和优惠券。",
        "Design live-room LED backdrops, overlays, merchant templates, main images and coupons.",
        _P_VD_1_6,
    ),
    _d(
        "VD-4",
        "依据访问和消费习惯调整店铺整体视觉。",
        "Adjust the shop's overall look based on traffic and shopping habits.",
        _P_VD_1_6,
    ),
    _d(
        "VD-5",
        "设计各平台店铺页面、模块和交互元素。",
        "Design shop pages, modules and interactive elements on each platform.",
        _P_VD_1_6,
    ),
    _d(
        "VD-6",
        "按人群偏好和卖点做精准视觉，提高点击和转化。",
        "Tailor visuals to audience tastes and selling points to raise clicks and conversion.",
        _P_VD_1_6,
    ),
    # IT
    _d(
        "IT-1",
        "规划IT系统方案，负责选型、实施、培训和维护升级。",
        "Plan the IT systems and handle selection, rollout, training and upkeep.",
        "This platform's own administration: users, roles, settings, backups, integrations, system health",
    ),
    _d(
        "IT-2",
        "研究并支持微信小程序和企业微信直播技术。",
        "Research and support WeChat mini-program and WeCom live-streaming technology.",
        "WeChat channels as a platform like the others",
    ),
    _d(
        "IT-3",
        "制定网络和软硬件标准，落实信息安全。",
        "Set network and hardware/software standards and enforce information security.",
        "Security settings (password policy, sessions, 2FA), audit log, data-access log for personal data",
    ),
    _d(
        "IT-4",
        "提供直播现场技术支持：相机、灯光和后台。",
        "Give on-site live tech support: cameras, lighting and backstage.",
        "Equipment assets (cameras, lights, mics) assigned to rooms; live-room setup checklists; "
        "tech-support tickets",
    ),
    # WL
    _d(
        "WL-1",
        "完善仓储物流流程，降本增效，规划库存库位和空间利用。",
        "Improve warehouse processes, cut cost and plan stock, bin locations and space use.",
        "Warehouses and bin locations; capacity and use",
    ),
    _d(
        "WL-2",
        "管理各品类仓库养护与损溢，维护库存账，会同财务盘点。",
        "Run category warehouses, handle care, loss and gain, keep stock records and count with finance.",
        "Stock per SKU per location, every movement in a ledger; loss/gain records",
    ),
    _d(
        "WL-3",
        "优化发货各环节，保证订单物流效率。",
        "Streamline shipping steps to keep order logistics efficient.",
        "Outbound flow: wave → pick → pack → ship, with times per step",
    ),
    _d(
        "WL-4",
        "编制物流计划和预算，制定SOP，做好货品质检和承运商考评。",
        "Set the logistics plan and budget, write SOPs, check goods and evaluate carriers.",
        "Carriers with cost per shipment; logistics cost budget vs actual",
    ),
    _d(
        "WL-5",
        "收集快递评价反馈，考核承运商并处理物流投诉。",
        "Collect carrier feedback, appraise carriers and resolve logistics complaints.",
        "Carrier scorecard from delivery times and CS logistics tickets",
    ),
    _d(
        "WL-6",
        "组织分拣、拆包、理货和配货，及时清理积压库存。",
        "Organise sorting, unpacking, tidying and allocation, and clear slow-moving stock.",
        "Stock ageing; slow-moving list",
    ),
    _d(
        "WL-7",
        "定期盘点，查明盘盈盘亏、丢失损坏的原因和责任。",
        "Count stock regularly and explain surplus, shortage, loss and damage.",
        "Stock counts (盘点) with variance, reason and responsibility; adjustments only through an "
        "approved count",
    ),
    _d(
        "WL-8",
        "做好仓库安全、防火、防盗、防潮，管理仓库工具。",
        "Keep the warehouse safe from fire, theft and damp, and manage its tools.",
        "Safety inspection checklists",
    ),
    _d("WL-9", "（原文缺失）", "(cut off in the source)", "—"),
    # Inferred: finance and people
    _d(
        "FIN-1",
        "与商家和主播进行结算。",
        "Settle accounts with merchants and anchors.",
        "Commission and slot-fee statements per merchant; anchor revenue share per period; refunds "
        "clawed back",
    ),
    _d(
        "FIN-2",
        "编制预算与决算（对应GOV-BD-3）。",
        "Prepare budgets and final accounts (see GOV-BD-3).",
        "Budget lines by department with actuals from the modules",
    ),
    _d(
        "HR-1",
        "管理员工、岗位和汇报关系。",
        "Manage staff, positions and reporting lines.",
        "Org chart from this map; staff in positions",
    ),
    _d(
        "HR-2",
        "组织绩效考核（对应GM-4、LS-5、CS-3）。",
        "Run performance appraisals (see GM-4, LS-5, CS-3).",
        "Periodic KPI appraisals",
    ),
]


# ---------------------------------------------------------------------------
# Positions
# ---------------------------------------------------------------------------

POSITIONS: list[PositionT] = [
    # Governance bodies
    PositionT("shareholder-rep", "GOV-SH", "股东代表", "Shareholder representative", True, None, 1),
    PositionT("board-chair", "GOV-BD", "董事长", "Chair of the board", True, "shareholder-rep", 1),
    PositionT("director", "GOV-BD", "董事", "Director", False, "board-chair", 4),
    PositionT(
        "sv-chair", "GOV-SV", "监事会主席", "Chair of the supervisory board", True, "shareholder-rep", 1
    ),
    PositionT("supervisor", "GOV-SV", "监事", "Supervisor", False, "sv-chair", 2),
    # Offices
    PositionT("chairman-office", "GOV-CH", "董事长秘书", "Chairman's secretary", True, "board-chair", 1),
    PositionT(
        "chairman-assistant", "GOV-CH", "董事长助理", "Chairman's assistant", False, "chairman-office", 1
    ),
    PositionT("gm", "GM", "总经理", "General manager", True, "board-chair", 1),
    PositionT("deputy-gm", "GM", "副总经理", "Deputy general manager", False, "gm", 1),
    # E-commerce live operations centre
    PositionT("lc-head", "LC", "电商直播运营中心总监", "Director, e-commerce live operations", True, "gm", 1),
    PositionT("lc-analyst", "LC", "运营数据分析师", "Operations data analyst", False, "lc-head", 1),
    PositionT("lc-ad-buyer", "LC", "广告投放专员", "Ad-buying specialist", False, "lc-head", 2),
    PositionT("ec-head", "EC", "电商运营部经理", "Manager, e-commerce operations", True, "lc-head", 1),
    PositionT("ec-shop-operator", "EC", "店铺运营专员", "Shop operator", False, "ec-head", 3),
    PositionT("ec-campaign-planner", "EC", "活动策划专员", "Campaign planner", False, "ec-head", 1),
    PositionT("ls-head", "LS", "直播运营部经理", "Manager, live-stream operations", True, "lc-head", 1),
    PositionT("ls-operator", "LS", "直播运营", "Live-stream operator", False, "ls-head", 3),
    PositionT("ls-field-controller", "LS", "场控", "Field controller", False, "ls-head", 3),
    PositionT("ls-assistant", "LS", "中控", "Live assistant", False, "ls-head", 3),
    PositionT("mb-head", "MB", "会员运营部经理", "Manager, membership operations", True, "lc-head", 1),
    PositionT("mb-specialist", "MB", "会员运营专员", "Membership specialist", False, "mb-head", 2),
    PositionT("mb-data-analyst", "MB", "用户数据分析师", "Member data analyst", False, "mb-head", 1),
    PositionT("cs-head", "CS", "电商客服部经理", "Manager, customer service", True, "lc-head", 1),
    PositionT("cs-team-lead", "CS", "客服主管", "Service team lead", False, "cs-head", 2),
    PositionT("cs-agent", "CS", "客服专员", "Service agent", False, "cs-head", 10),
    PositionT("cs-aftersales", "CS", "售后专员", "After-sales agent", False, "cs-head", 4),
    # Merchant recruitment centre
    PositionT("mc-head", "MC", "招商中心总监", "Director, merchant recruitment", True, "gm", 1),
    PositionT("mc-selection-planner", "MC", "选品规划专员", "Selection planner", False, "mc-head", 1),
    PositionT("mr-head", "MR", "直播招商部经理", "Manager, live merchant recruitment", True, "mc-head", 1),
    PositionT("mr-recruiter", "MR", "招商专员", "Recruiter", False, "mr-head", 4),
    PositionT("mr-selector", "MR", "选品专员", "Product selector", False, "mr-head", 2),
    PositionT("qc-head", "QC", "直播品控部经理", "Manager, live quality control", True, "mc-head", 1),
    PositionT("qc-inspector", "QC", "品控专员", "QC inspector", False, "qc-head", 3),
    PositionT("qc-credential-reviewer", "QC", "资质审核专员", "Credential reviewer", False, "qc-head", 1),
    # Anchor incubation centre
    PositionT("ac-head", "AC", "主播孵化中心总监", "Director, anchor incubation", True, "gm", 1),
    PositionT("ac-incubation-planner", "AC", "孵化运营专员", "Incubation planner", False, "ac-head", 1),
    PositionT("ab-head", "AB", "主播经纪部经理", "Manager, anchor brokerage", True, "ac-head", 1),
    PositionT("ab-broker", "AB", "主播经纪人", "Talent broker", False, "ab-head", 3),
    PositionT("ab-anchor", "AB", "主播", "Anchor", False, "ab-head", 8),
    PositionT("ab-scout", "AB", "星探", "Talent scout", False, "ab-head", 2),
    PositionT("at-head", "AT", "主播培训部经理", "Manager, anchor training", True, "ac-head", 1),
    PositionT("at-trainer", "AT", "主播培训师", "Anchor trainer", False, "at-head", 2),
    PositionT("at-coordinator", "AT", "培训专员", "Training coordinator", False, "at-head", 1),
    PositionT("kol-head", "KOL", "KOL运营部经理", "Manager, KOL operations", True, "ac-head", 1),
    PositionT("kol-operator", "KOL", "KOL运营专员", "KOL operator", False, "kol-head", 3),
    PositionT("kol-business", "KOL", "商务对接专员", "Brand partnerships specialist", False, "kol-head", 1),
    # Content operations centre
    PositionT("cc-head", "CC", "内容运营中心总监", "Director, content operations", True, "gm", 1),
    PositionT("cc-brand-planner", "CC", "品牌策划", "Brand planner", False, "cc-head", 1),
    PositionT("cc-opinion-monitor", "CC", "舆情专员", "Public-opinion monitor", False, "cc-head", 1),
    PositionT("sv-head", "SV", "短视频运营部经理", "Manager, short video", True, "cc-head", 1),
    PositionT("sv-operator", "SV", "短视频运营", "Short-video operator", False, "sv-head", 2),
    PositionT("sv-editor", "SV", "剪辑师", "Video editor", False, "sv-head", 2),
    PositionT("sv-videographer", "SV", "摄像师", "Videographer", False, "sv-head", 1),
    PositionT("cw-head", "CW", "文案策划部经理", "Manager, copywriting & planning", True, "cc-head", 1),
    PositionT("cw-copywriter", "CW", "文案策划", "Copywriter", False, "cw-head", 3),
    PositionT("vd-head", "VD", "视觉设计部经理", "Manager, visual design", True, "cc-head", 1),
    PositionT("vd-designer", "VD", "视觉设计师", "Visual designer", False, "vd-head", 3),
    PositionT("vd-photographer", "VD", "摄影师", "Photographer", False, "vd-head", 1),
    # IT centre
    PositionT("it-head", "IT", "信息技术中心总监", "Director, IT", True, "gm", 1),
    PositionT("it-sysadmin", "IT", "系统管理员", "System administrator", False, "it-head", 1),
    PositionT("it-live-tech", "IT", "直播技术支持", "Live-stream tech support", False, "it-head", 2),
    # Warehouse & logistics centre
    PositionT("wl-head", "WL", "仓储物流中心总监", "Director, warehouse & logistics", True, "gm", 1),
    PositionT("wl-keeper", "WL", "仓管员", "Warehouse keeper", False, "wl-head", 3),
    PositionT("wl-logistics", "WL", "物流专员", "Logistics specialist", False, "wl-head", 2),
    PositionT("wl-picker", "WL", "拣货打包员", "Picker-packer", False, "wl-head", 6),
    # Departments directly under the general manager
    PositionT("gmo-head", "GMO", "总经理办公室主任", "Head of the general manager's office", True, "gm", 1),
    PositionT("gmo-assistant", "GMO", "总经理助理", "Assistant to the general manager", False, "gmo-head", 1),
    PositionT("fin-head", "FIN", "财务部经理", "Finance manager", True, "gm", 1),
    PositionT("fin-accountant", "FIN", "会计", "Accountant", False, "fin-head", 2),
    PositionT("fin-cashier", "FIN", "出纳", "Cashier", False, "fin-head", 1),
    PositionT("hr-head", "HR", "人力资源部经理", "HR & administration manager", True, "gm", 1),
    PositionT("hr-hrbp", "HR", "HRBP", "HR business partner", False, "hr-head", 1),
    PositionT("hr-admin", "HR", "行政专员", "Administration specialist", False, "hr-head", 1),
]
