"""The demo's content: who works at the demo hospital, its departments, the names and
numbers its people get, the cases that are not about a hospital stay, the plans, and what
the history's calls sound like. Stored text stays Chinese whatever language runs."""

from __future__ import annotations

from dataclasses import dataclass

from followups.models import CaseKind, Disposition, EscalationCategory, Gender, Satisfaction
from followups.roles import Role

DEMO_SEED = 20261125
# Published in the README and printed by seed_demo: demo logins only, never a real account.
DEMO_PASSWORD = "huifang-demo"  # noqa: S105
HOSPITAL_CODE = "demo"
HOSPITAL_NAME = "惠民市第一人民医院"
POLICY_NAME = "默认呼叫时段"
PATIENT_COUNT = 300
# How many of the patients have each trait: about 4 % no number at all (the seeds' first
# reason for a lost follow-up), 5 % sensitive, a few who refuse calls, two or three deaths.
PATIENTS_WITHOUT_PHONE = 12
SENSITIVE_PATIENTS = 15
DO_NOT_CALL_PATIENTS = 4
DECEASED_PATIENTS = 3
# A death is learned on a call, so the patient was discharged long enough ago to be called;
# and recently enough that the dashboard still shows one reported (it shows 30 days).
DECEASED_DISCHARGED_DAYS_AGO = (10, 24)
DISCHARGES_OVER_DAYS = 45
CALL_SECONDS = (120, 360)


# --- Who works here ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoUser:
    username: str
    name: str
    role: Role


DEMO_USERS = (
    DemoUser("agent1", "王静", Role.AGENT),
    DemoUser("agent2", "刘洋", Role.AGENT),
    DemoUser("supervisor", "陈敏", Role.SUPERVISOR),
    DemoUser("admin", "张伟", Role.ADMIN),
)


@dataclass(frozen=True)
class DepartmentSpec:
    code: str
    name: str
    doctors: tuple[str, ...]
    nurses: tuple[str, ...]
    diagnoses: tuple[str, ...]
    # What a patient of this department reports when the symptom question raises a red flag.
    warning_sign: str
    women_only: bool = False


DEPARTMENTS = (
    DepartmentSpec(
        code="cardiology",
        name="心内科",
        doctors=("周建国", "吴晓峰", "郑丽萍"),
        nurses=("孙婷", "何雪梅", "马晓丽"),
        diagnoses=(
            "冠状动脉粥样硬化性心脏病",
            "不稳定型心绞痛",
            "急性非ST段抬高型心肌梗死（PCI术后）",
            "阵发性心房颤动",
            "高血压病3级（极高危）",
            "慢性心力衰竭急性加重",
        ),
        warning_sign="活动后胸闷气短比出院时明显加重，夜里不能平躺",
    ),
    DepartmentSpec(
        code="orthopedics",
        name="骨科",
        doctors=("冯志刚", "韩立新", "曹云峰"),
        nurses=("邓小燕", "彭静", "田甜"),
        diagnoses=(
            "右股骨颈骨折（人工髋关节置换术后）",
            "腰椎间盘突出症",
            "左桡骨远端骨折",
            "右膝骨关节炎（全膝关节置换术后）",
            "左胫腓骨骨折（内固定术后）",
            "神经根型颈椎病",
        ),
        warning_sign="手术切口红肿、有渗液，伴低热",
    ),
    DepartmentSpec(
        code="general-surgery",
        name="普外科",
        doctors=("蒋文斌", "沈国华", "唐海涛"),
        nurses=("袁媛", "许晓梅", "罗丹"),
        diagnoses=(
            "急性阑尾炎（腹腔镜阑尾切除术后）",
            "胆囊结石伴慢性胆囊炎（腹腔镜胆囊切除术后）",
            "右侧腹股沟斜疝（无张力修补术后）",
            "甲状腺结节（甲状腺部分切除术后）",
            "急性水肿型胰腺炎",
            "粘连性肠梗阻",
        ),
        warning_sign="腹痛一天比一天重，伴发热和呕吐",
    ),
    DepartmentSpec(
        code="obstetrics-gynecology",
        name="妇产科",
        doctors=("林慧", "谢雅琴", "高玉梅"),
        nurses=("梁晶晶", "宋佳", "叶倩"),
        diagnoses=(
            "足月妊娠自然分娩",
            "足月妊娠剖宫产术后",
            "子宫肌瘤（腹腔镜肌瘤剔除术后）",
            "卵巢囊肿（腹腔镜囊肿剥除术后）",
            "妊娠期糖尿病",
            "先兆早产",
        ),
        warning_sign="阴道出血量突然增多，伴下腹痛",
        women_only=True,
    ),
)


# --- Names and numbers ------------------------------------------------------------------------

SURNAMES = (
    *"王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程",
    *"苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝",
    "欧阳",
    "上官",
)
GIVEN_NAMES = {
    Gender.MALE: (
        *"伟强磊军勇杰涛斌超明刚平辉鹏华飞波",
        *("建国", "建华", "建军", "志强", "志明", "国强", "国华", "文博", "浩然", "子轩"),
        *("宇航", "俊杰", "家豪", "立新", "德明", "永刚", "海涛", "晓东", "振华", "春生"),
        *("学军", "宏伟", "继东"),
    ),
    Gender.FEMALE: (
        *"芳娜敏静丽艳娟霞婷雪慧颖",
        *("秀英", "桂英", "玉兰", "秀兰", "凤英", "淑珍", "美玲", "春梅", "海燕", "红梅"),
        *("丽华", "晓燕", "佳怡", "雨欣", "欣怡", "梓涵", "诗琪", "雅婷", "文静", "思雨"),
        *("金凤", "素芬", "月娥", "巧玲", "丽娟", "晓丽", "嘉欣", "秋菊"),
    ),
}
# Mainland mobile number blocks in wide use; every number is still checked by phonenumbers.
MOBILE_PREFIXES = (
    *("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152"),
    *("153", "155", "156", "157", "158", "159", "166", "176", "177", "180", "181", "182"),
    *("183", "185", "186", "187", "188", "189", "191", "198", "199"),
)


# --- Calls that are not about a hospital stay -------------------------------------------------


@dataclass(frozen=True)
class CaseMix:
    kind: CaseKind
    count: int
    products: tuple[str, ...]
    anchor_days_ago: tuple[int, int]
    # Share of the cases whose intent class (A/B/C/D) is already known.
    with_intent: float


OTHER_CASES = (
    CaseMix(
        kind=CaseKind.MISSED_APPOINTMENT,
        count=14,
        products=("心内科专家门诊复诊", "骨科术后复查", "普外科门诊换药", "产后42天复查"),
        anchor_days_ago=(1, 10),
        with_intent=0.7,
    ),
    CaseMix(
        kind=CaseKind.POLICY,
        count=13,
        products=(
            "安康终身寿险",
            "福寿年年两全保险",
            "康宁重大疾病保险",
            "安心百万医疗保险",
            "金色晚年养老年金保险",
        ),
        anchor_days_ago=(0, 20),
        with_intent=0.5,
    ),
    CaseMix(
        kind=CaseKind.AFTER_SALES,
        count=13,
        products=("家用制氧机", "电子血压计", "动态血糖仪", "助听器验配", "居家康复护理套餐"),
        anchor_days_ago=(0, 45),
        with_intent=0.0,
    ),
)
WOMEN_ONLY_PRODUCTS = frozenset({"产后42天复查"})


@dataclass(frozen=True)
class PlanSpec:
    name: str
    case_kind: CaseKind
    script_code: str
    offsets: tuple[int, ...]
    description: str
    deadline_days: int | None = None


PLANS = (
    PlanSpec(
        "出院回访计划",
        CaseKind.DISCHARGE,
        "discharge",
        (3, 7, 30),
        "出院后第3天、第1周和第1个月各回访一次。",
    ),
    PlanSpec(
        "未到诊回访计划",
        CaseKind.MISSED_APPOINTMENT,
        "missed-appointment",
        (1, 3),
        "预约未到诊的第二天回访，三天后再跟进一次。",
    ),
    PlanSpec(
        "保单回访计划",
        CaseKind.POLICY,
        "policy-verification",
        (1, 5, 12),
        "新单回访须在15天犹豫期内完成。",
        deadline_days=15,
    ),
    PlanSpec(
        "售后回访计划",
        CaseKind.AFTER_SALES,
        "after-sales",
        (3, 30),
        "购买后第3天和第1个月回访。",
    ),
)


# --- What the history's calls sound like ------------------------------------------------------

# Before anyone picks up: most calls are answered, the rest ring out, are busy, find the
# phone off or are refused at once (the seeds' reasons for a lost follow-up); of those
# refused, some ask never to be called again (the scripts' "别再打了").
PICK_UP_WEIGHTS = {
    "answered": 79,
    Disposition.NO_ANSWER: 11,
    Disposition.PHONE_OFF: 5,
    Disposition.BUSY: 2,
}
REFUSED_AT_ONCE_WEIGHT = 2
ASKS_FOR_NO_CALLS = 0.4
# The person is on the line but busy: they book a callback ("现在没空"), in a calling window
# up to CALLBACK_DAYS ahead.
BUSY_NOW = 0.05
CALLBACK_DAYS = 2
# A relative who answers says when the patient is in, about half the time.
FAMILY_SAYS_WHEN = 0.5
IDENTITY_WEIGHTS = {"yes": 90, "family": 6, "no": 4}
# Satisfaction in the seeds' hospitals runs well above 90 %.
OUTCOME_FIELD_WEIGHTS = {
    "satisfaction": {"satisfied": 84, "neutral": 12, "dissatisfied": 3, "poor": 1},
    "red_flag": {"no": 90, "yes": 10},
}
USUAL_ANSWER_WEIGHT = 80
NOTES = (
    "",
    "",
    "",
    "",
    "没有意见",
    "护士很耐心，谢谢",
    "希望复诊挂号能再方便一些",
    "停车位太少",
    "出院小结希望写得再通俗一点",
    "饭菜有点咸",
)
DISSATISFACTION = {
    CaseKind.DISCHARGE: (
        EscalationCategory.SERVICE,
        (
            "反映住院期间夜里病区比较吵，休息不好",
            "认为出院结算窗口排队时间太长",
            "反映护士交代出院带药的用法不够清楚",
            "反映病房卫生间清洁不及时",
        ),
    ),
    CaseKind.MISSED_APPOINTMENT: (
        EscalationCategory.SERVICE,
        ("反映预约后医生临时停诊，没有提前通知", "认为复诊号源太少，挂号困难"),
    ),
    CaseKind.POLICY: (
        EscalationCategory.COMPLAINT,
        ("认为业务员介绍产品时夸大了收益", "反映业务员没有说明提前退保的损失"),
    ),
    CaseKind.AFTER_SALES: (
        EscalationCategory.PRODUCT,
        ("反映送货比约定时间晚了三天", "认为售后电话很难打通"),
    ),
}
# Stored text stays Chinese whatever language the command runs in.
SATISFACTION_WORDS = {Satisfaction.DISSATISFIED: "不满意", Satisfaction.POOR: "差"}
RESOLUTIONS = (
    "已与相关科室核实情况，向客户致歉并说明了改进措施，客户表示接受。",
    "已安排负责人电话沟通，问题已处理，客户表示满意。",
)
URGENT_RESOLUTION = "值班医生已电话评估，建议次日门诊复诊，患者已按时就诊。"
