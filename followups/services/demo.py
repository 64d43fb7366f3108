"""Demo data: a hospital, its staff and patients, plans, published scripts and weeks of calls.

The same on every fresh database (a fixed random seed), dated from the day it runs so the
demo always looks current, and added once: a second run finds the demo hospital and stops.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass

import phonenumbers
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Model, prefetch_related_objects
from django.utils import timezone

from followups.models import (
    CallAttempt,
    CallingPolicy,
    CallingWindow,
    CallScript,
    Case,
    CaseKind,
    CaseStatus,
    Customer,
    Department,
    Disposition,
    Escalation,
    EscalationCategory,
    EscalationSeverity,
    EscalationStatus,
    FollowUpPlan,
    FollowUpTask,
    Gender,
    HolidayRule,
    Hospital,
    Patient,
    PlanStep,
    PreferredSlot,
    Satisfaction,
    ScriptAnswer,
    ScriptVersion,
    ScriptVersionStatus,
    TaskKind,
    TaskStatus,
)
from followups.roles import Role
from followups.scheduling import (
    NOT_REACHED,
    CallingRules,
    ContactBudget,
    FollowUpAction,
    next_step_after_call,
    next_window_start,
    windows_on,
)
from followups.services.cases import open_case, schedule_intent_call
from followups.services.policies import calling_rules

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
# A death is learned on a call, so the patient was discharged long enough ago to be called.
DECEASED_DISCHARGED_AT_LEAST_DAYS_AGO = 10
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


# --- Scripts ----------------------------------------------------------------------------------
# The graph schema (version 1) that the script editor builds on: nodes with options leading
# to a `next` node, closings with a disposition, and objection handlers usable from any node.

COMPLAINT_TEXT = (
    "非常抱歉给您带来不好的体验。您说的情况我已经详细记录，会转给相关负责人核实处理，"
    "三个工作日内给您答复。"
)
NOTE_TEXT = "您对我们还有什么意见或建议吗？我帮您一起记下来。"
FAMILY_CLOSING = (
    "好的，谢谢您。麻烦您转告一声，我们改天再和{customer.honorific}本人联系。打扰了，再见！"
)
WRONG_NUMBER_CLOSING = "不好意思，可能是我们登记的号码有误，打扰您了。祝您生活愉快，再见！"


def _node(node_id: str, kind: str, text: str, **fields) -> dict:
    return {"id": node_id, "kind": kind, "text": text, **fields}


def _options(*choices: tuple[str, str, str]) -> list[dict]:
    return [{"value": value, "label": label, "next": target} for value, label, target in choices]


def _objections(*, how_we_have_your_number: str, where_to_check_us: str) -> list[dict]:
    return [
        {
            "id": "busy",
            "label": "现在没空",
            "text": "不好意思打扰您了。那我们换个您方便的时间再打过来，您看什么时候合适？",
            "action": "end",
            "disposition": "callback",
        },
        {
            "id": "how_number",
            "label": "怎么有我电话",
            "text": how_we_have_your_number,
            "action": "return",
        },
        {
            "id": "scam",
            "label": "是不是骗子",
            "text": "您的谨慎是对的。我们不会向您要银行卡号、密码或验证码，也不会让您转账。"
            + where_to_check_us,
            "action": "return",
        },
        {
            "id": "complained",
            "label": "已经投诉过",
            "text": "给您添麻烦了，实在抱歉。您能简单说一下当时的情况吗？我帮您查一下处理进度。",
            "action": "jump",
            "target": "s_complaint",
        },
        {
            "id": "dnc",
            "label": "别再打了",
            "text": "好的，我们尊重您的意愿，会做好登记，以后不再打扰您。祝您生活愉快，再见。",
            "action": "end",
            "disposition": "refused",
            "do_not_call": True,
        },
    ]


def _script_graph(
    *,
    greeting: str,
    identity: str,
    first_after_identity: str,
    body: list[dict],
    satisfaction: str,
    after_satisfied: str,
    closing: str,
    how_we_have_your_number: str,
    where_to_check_us: str,
) -> dict:
    """A script's own middle (`body`) between the parts every script shares: greeting,
    identity check, satisfaction, complaint, note and the closings."""
    nodes = [
        _node("greet", "greeting", greeting, next="identity"),
        _node(
            "identity",
            "identity_check",
            identity,
            options=_options(
                ("yes", "是本人", first_after_identity),
                ("family", "家属接听", "close_family"),
                ("no", "不是", "close_wrong"),
            ),
        ),
        *body,
        _node(
            "q_satisfaction",
            "question",
            satisfaction,
            answer_type="rating",
            outcome_field="satisfaction",
            options=_options(
                ("satisfied", "满意", after_satisfied),
                ("neutral", "一般", "q_note"),
                ("dissatisfied", "不满意", "s_complaint"),
                ("poor", "差", "s_complaint"),
            ),
        ),
        _node("s_complaint", "statement", COMPLAINT_TEXT, next="q_note"),
        _node("q_note", "question", NOTE_TEXT, answer_type="text", next="close_ok"),
        _node("close_ok", "closing", closing, disposition="complete"),
        _node("close_family", "closing", FAMILY_CLOSING, disposition="family"),
        _node("close_wrong", "closing", WRONG_NUMBER_CLOSING, disposition="wrong_number"),
    ]
    return {
        "schema": 1,
        "start": "greet",
        "nodes": nodes,
        "objections": _objections(
            how_we_have_your_number=how_we_have_your_number,
            where_to_check_us=where_to_check_us,
        ),
    }


DISCHARGE_GRAPH = _script_graph(
    greeting="{customer.honorific}您好！我是{hospital.name}客户服务中心的回访专员{agent.name}，"
    "想占用您两三分钟时间，现在方便吗？",
    identity="为了保护您的隐私，先跟您确认一下：请问您是{customer.name}本人吗？",
    first_after_identity="s_purpose",
    body=[
        _node(
            "s_purpose",
            "statement",
            "您是{patient.discharged_on}从我们{patient.department}出院的，"
            "{patient.doctor}医生很关心您回家以后的情况，特意让我来问候一下。",
            medical=True,
            next="q_recovery",
        ),
        _node(
            "q_recovery",
            "question",
            "出院这段时间，您感觉身体恢复得怎么样？",
            answer_type="single",
            medical=True,
            options=_options(
                ("good", "恢复得不错", "q_medication"),
                ("fair", "还有点不舒服", "q_symptom"),
                ("poor", "感觉比出院时差", "q_symptom"),
            ),
        ),
        _node(
            "q_symptom",
            "question",
            "想再确认一下：最近有没有发烧、伤口红肿流液、胸闷气喘、疼痛越来越重，"
            "或者其他让您担心的新情况？",
            answer_type="single",
            medical=True,
            outcome_field="red_flag",
            options=_options(
                ("no", "没有这些情况", "s_care_advice"),
                ("yes", "有，需要医生看看", "s_urgent"),
            ),
        ),
        _node(
            "s_care_advice",
            "statement",
            "刚出院有些乏力或者轻微不适比较常见，注意休息、饮食清淡一些。"
            "如果哪天症状加重了，请不要硬扛，直接来医院看。",
            medical=True,
            next="q_medication",
        ),
        _node(
            "s_urgent",
            "statement",
            "您说的情况需要医生尽快看一下。我现在就把情况转给{patient.department}的值班医生，"
            "医生会尽快给您回电；如果感觉很不好，请马上拨打120或者去最近的医院急诊。",
            medical=True,
            next="close_urgent",
        ),
        _node(
            "close_urgent",
            "closing",
            "请您保持电话畅通，身边最好有家人陪着。我们稍后再联系您，再见。",
            disposition="partial",
        ),
        _node(
            "q_medication",
            "question",
            "出院时带回去的药，您有没有按医生交代的时间和剂量在吃？",
            answer_type="single",
            medical=True,
            options=_options(
                ("regular", "一直按时吃", "s_reminder"),
                ("irregular", "有时会忘", "s_medication_advice"),
                ("stopped", "自己停了", "s_medication_advice"),
            ),
        ),
        _node(
            "s_medication_advice",
            "statement",
            "用药的剂量和疗程是医生根据您的病情定的，请不要自己停药或者减量。"
            "有疑问可以复诊时问{patient.doctor}医生，也可以打医院的咨询电话。",
            medical=True,
            next="s_reminder",
        ),
        _node(
            "s_reminder",
            "statement",
            "再提醒您一下，请按出院小结上写的时间回{patient.department}门诊复查，"
            "可以提前在医院公众号上预约挂号，省得排队。",
            medical=True,
            next="q_satisfaction",
        ),
    ],
    satisfaction="这次住院，您对我们医生和护士的服务满意吗？",
    after_satisfied="q_note",
    closing="谢谢您的耐心配合！祝您早日康复，有什么需要随时联系我们。再见！",
    how_we_have_your_number="您的电话是住院登记时留下的，医院只用它做诊疗相关的回访，"
    "不会提供给任何其他人。",
    where_to_check_us="您可以先挂断，再拨打{hospital.name}的总机核实。",
)

MISSED_APPOINTMENT_GRAPH = _script_graph(
    greeting="{customer.honorific}您好！我是{hospital.name}门诊服务中心的回访专员{agent.name}，"
    "打扰您一两分钟可以吗？",
    identity="请问您是{customer.name}本人吗？",
    first_after_identity="s_purpose",
    body=[
        _node(
            "s_purpose",
            "statement",
            "您之前预约了我们的{case.product}，那天没见到您过来，"
            "想问问是不是遇到了什么不方便，看看我们能帮上什么忙。",
            medical=True,
            next="q_reason",
        ),
        _node(
            "q_reason",
            "question",
            "方便说一下那天没能来的原因吗？",
            answer_type="single",
            medical=True,
            options=_options(
                ("busy", "临时有事，时间冲突", "q_rebook"),
                ("better", "觉得已经好些了", "s_why_come_back"),
                ("elsewhere", "去了别的医院", "q_satisfaction"),
                ("other", "其他原因", "q_rebook"),
            ),
        ),
        _node(
            "s_why_come_back",
            "statement",
            "感觉好转是好事。不过按时复诊能让医生确认恢复情况、及时调整治疗，"
            "建议您还是抽空来一趟。",
            medical=True,
            next="q_rebook",
        ),
        _node(
            "q_rebook",
            "question",
            "需要我现在帮您重新约个时间吗？",
            answer_type="single",
            outcome_field="intent_class",
            options=_options(
                ("A", "要，这周就来", "q_date"),
                ("B", "要，时间还得再看看", "s_booking_channels"),
                ("C", "最近来不了，过段时间再说", "s_booking_channels"),
                ("D", "暂时不需要", "q_satisfaction"),
            ),
        ),
        _node(
            "q_date",
            "question",
            "您看哪天比较方便？我先帮您登记上。",
            answer_type="date",
            next="s_visit_reminder",
        ),
        _node(
            "s_visit_reminder",
            "statement",
            "好的，已经帮您登记了。就诊那天请带好身份证和医保卡，提前一刻钟到门诊服务台报到。",
            next="q_satisfaction",
        ),
        _node(
            "s_booking_channels",
            "statement",
            "没关系。您定好时间后，可以随时通过医院公众号、自助机或者预约电话挂号。",
            next="q_callback",
        ),
        _node(
            "q_callback",
            "question",
            "需要我们过几天再打电话提醒您一下吗？",
            answer_type="single",
            outcome_field="callback_wanted",
            options=_options(
                ("yes", "需要", "q_satisfaction"),
                ("no", "不用了", "q_satisfaction"),
            ),
        ),
    ],
    satisfaction="您对我们的预约挂号服务满意吗？",
    after_satisfied="close_ok",
    closing="感谢您的配合，祝您身体健康，再见！",
    how_we_have_your_number="这是您预约挂号时留的联系电话，我们只用它做就诊提醒和回访。",
    where_to_check_us="您可以先挂断，再拨打{hospital.name}的总机核实。",
)

POLICY_GRAPH = _script_graph(
    greeting="{customer.honorific}您好！我是客户服务中心的回访专员{agent.name}。"
    "为了保障您的权益，每一位新投保的客户我们都会做一次电话回访，大约三分钟，"
    "通话可能会录音，请您理解。",
    identity="请问您是投保人{customer.name}本人吗？",
    first_after_identity="q_signed",
    body=[
        _node(
            "q_signed",
            "question",
            "您投保的{case.product}，投保单和风险提示书上的签名是您本人亲笔签的吗？",
            answer_type="single",
            options=_options(
                ("yes", "是本人签的", "q_terms"),
                ("no", "不是本人签的", "s_complaint"),
            ),
        ),
        _node(
            "q_terms",
            "question",
            "业务人员有没有跟您讲清楚保险责任、免责条款，以及提前退保可能会有损失？",
            answer_type="single",
            options=_options(
                ("clear", "都讲清楚了", "q_health"),
                ("unclear", "有些地方没听明白", "s_terms_explained"),
                ("not_told", "没有讲过", "s_complaint"),
            ),
        ),
        _node(
            "s_terms_explained",
            "statement",
            "具体内容以合同条款为准。您可以翻看合同里的条款解释，"
            "有不明白的地方也可以随时打客服热线，我们逐条给您讲。",
            next="q_health",
        ),
        _node(
            "q_health",
            "question",
            "投保时填写的健康告知，是按您本人真实的身体状况填的吗？",
            answer_type="single",
            medical=True,
            options=_options(
                ("yes", "如实填写", "s_cooling_off"),
                ("unsure", "不太确定", "s_disclosure"),
            ),
        ),
        _node(
            "s_disclosure",
            "statement",
            "健康告知关系到以后能不能顺利理赔。如果有漏填或者填错的，"
            "建议在犹豫期内联系业务人员或者客服办理补充告知。",
            medical=True,
            next="s_cooling_off",
        ),
        _node(
            "s_cooling_off",
            "statement",
            "另外提醒您：从签收合同那天起有15天犹豫期，这期间如果您改变主意，"
            "可以申请退保，已交的保费会退还给您。",
            next="q_payment",
        ),
        _node(
            "q_payment",
            "question",
            "保费会按期从您登记的银行卡自动扣款，每期金额和缴费年限您都清楚吗？",
            answer_type="single",
            options=_options(
                ("yes", "清楚", "q_satisfaction"),
                ("no", "不太清楚", "s_payment_explained"),
            ),
        ),
        _node(
            "s_payment_explained",
            "statement",
            "每期扣款金额和缴费年限都印在保单首页，扣款前我们也会发短信提醒，请留意卡内余额。",
            next="q_satisfaction",
        ),
    ],
    satisfaction="您对业务人员这次的服务满意吗？",
    after_satisfied="close_ok",
    closing="回访就到这里，谢谢您的配合！祝您和家人平安健康，再见！",
    how_we_have_your_number="这是您投保时在投保单上填写的联系电话，只用于保单服务。",
    where_to_check_us="您可以先挂断，再拨打保单上印的客服热线核实。",
)

AFTER_SALES_GRAPH = _script_graph(
    greeting="{customer.honorific}您好！我是{hospital.name}客户服务中心的回访专员{agent.name}，"
    "想耽误您两分钟做个简单的回访，方便吗？",
    identity="请问是{customer.name}本人吗？",
    first_after_identity="q_usage",
    body=[
        _node(
            "q_usage",
            "question",
            "您在我们这里购买的{case.product}，目前用得怎么样？",
            answer_type="single",
            medical=True,
            options=_options(
                ("good", "挺好的", "q_recommend"),
                ("problem", "遇到一些问题", "q_problem"),
                ("unused", "还没开始用", "s_guide"),
            ),
        ),
        _node(
            "q_problem",
            "question",
            "主要是哪方面的问题呢？可以说几个。",
            answer_type="multiple",
            options=_options(
                ("quality", "产品质量", "q_callback"),
                ("operation", "不会操作", "q_callback"),
                ("delivery", "配送安装", "q_callback"),
                ("staff", "服务态度", "q_callback"),
            ),
        ),
        _node(
            "q_callback",
            "question",
            "需要我们安排售后同事专门联系您处理吗？",
            answer_type="single",
            outcome_field="callback_wanted",
            options=_options(
                ("yes", "需要", "s_service_ticket"),
                ("no", "不用了", "q_satisfaction"),
            ),
        ),
        _node(
            "s_service_ticket",
            "statement",
            "好的，已经为您登记了售后工单，售后同事会在一个工作日内和您联系。",
            next="q_satisfaction",
        ),
        _node(
            "s_guide",
            "statement",
            "使用前请先看一下说明书。如果需要，我们可以安排工作人员电话指导或者上门演示。",
            next="q_recommend",
        ),
        _node(
            "q_recommend",
            "question",
            "如果满分是10分，您有多大可能把我们推荐给亲戚朋友？",
            answer_type="number",
            next="q_satisfaction",
        ),
    ],
    satisfaction="总体来说，您对这次购买和服务满意吗？",
    after_satisfied="close_ok",
    closing="感谢您的宝贵意见，我们会继续改进。祝您生活愉快，再见！",
    how_we_have_your_number="这是您购买时登记的联系方式，只用于售后服务。",
    where_to_check_us="您可以先挂断，再拨打{hospital.name}的总机核实。",
)


@dataclass(frozen=True)
class ScriptSpec:
    code: str
    name: str
    case_kind: CaseKind
    description: str
    graph: dict


SCRIPTS = (
    ScriptSpec(
        "discharge",
        "出院回访",
        CaseKind.DISCHARGE,
        "出院后问候：恢复情况、危险症状、用药、复查提醒和满意度。",
        DISCHARGE_GRAPH,
    ),
    ScriptSpec(
        "missed-appointment",
        "未到诊回访",
        CaseKind.MISSED_APPOINTMENT,
        "预约未到诊：了解原因，帮助改约，判断就诊意向。",
        MISSED_APPOINTMENT_GRAPH,
    ),
    ScriptSpec(
        "policy-verification",
        "保单回访",
        CaseKind.POLICY,
        "新单回访：本人签名、条款说明、健康告知、犹豫期和缴费方式。",
        POLICY_GRAPH,
    ),
    ScriptSpec(
        "after-sales",
        "售后满意度回访",
        CaseKind.AFTER_SALES,
        "购买后回访：使用情况、售后问题、推荐意愿和满意度。",
        AFTER_SALES_GRAPH,
    ),
)


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

# Before anyone picks up: most calls are answered, the rest ring out, find the phone off or
# are refused at once (the seeds' reasons for a lost follow-up).
PICK_UP_WEIGHTS = {"answered": 79, Disposition.NO_ANSWER: 12, Disposition.PHONE_OFF: 6}
REFUSED_AT_ONCE_WEIGHT = 2
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


# --- The service ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoSeedResult:
    created: bool
    # Rows added per model on the run that seeded; rows present when the data was there.
    counts: dict[type[Model], int]
    users: tuple[DemoUser, ...]
    # Usernames that existed before the seed: kept as they were, password unchanged.
    kept_users: tuple[str, ...] = ()


def seed_demo(*, today: dt.date, password: str) -> DemoSeedResult:
    """Add the demo data dated from `today`, in one transaction, unless it is there already."""
    if Hospital.objects.filter(code=HOSPITAL_CODE).exists():
        return DemoSeedResult(created=False, counts=row_counts(), users=DEMO_USERS)
    before = row_counts()
    try:
        with transaction.atomic():
            kept_users = _seed(today=today, password=password, rng=random.Random(DEMO_SEED))
    except IntegrityError:
        # A run started at the same moment committed first: its hospital is the marker.
        if Hospital.objects.filter(code=HOSPITAL_CODE).exists():
            return DemoSeedResult(created=False, counts=row_counts(), users=DEMO_USERS)
        raise
    after = row_counts()
    added = {model: after[model] - before[model] for model in after}
    return DemoSeedResult(created=True, counts=added, users=DEMO_USERS, kept_users=kept_users)


def row_counts() -> dict[type[Model], int]:
    """Rows of users and of every model of the domain."""
    models = [get_user_model(), *apps.get_app_config("followups").get_models()]
    return {model: model.objects.count() for model in models}


def _seed(*, today: dt.date, password: str, rng: random.Random) -> tuple[str, ...]:
    # The marker first: a concurrent run blocks here and then finds it.
    hospital = Hospital.objects.create(name=HOSPITAL_NAME, code=HOSPITAL_CODE)
    users, kept_users = _users(password)
    departments = _departments(hospital)
    policy = _default_policy()
    scripts = _published_scripts(
        by=users["supervisor"],
        at=dt.datetime.combine(
            today - dt.timedelta(days=60), dt.time(9), tzinfo=timezone.get_default_timezone()
        ),
    )
    plans = _plans(policy=policy, scripts=scripts)
    registry = _Registry(rng)
    customers = _patients(rng, registry, today=today, hospital=hospital, departments=departments)
    customers += _other_customers(rng, registry, today=today)
    cases = [
        open_case(customer=customer, plan=plans[fields["kind"]], **fields)
        for customer, fields in customers
    ]
    _call_history(
        rng,
        cases=cases,
        scripts=scripts,
        today=today,
        rules=calling_rules(policy),
        agents=[users["agent1"], users["agent2"]],
        supervisor=users["supervisor"],
    )
    return kept_users


def _users(password: str) -> tuple[dict[str, object], tuple[str, ...]]:
    User = get_user_model()  # noqa: N806
    # One hash for the four: hashing is deliberately slow, and the password is shared anyway.
    hashed = make_password(password)
    groups = {group.name: group for group in Group.objects.filter(name__in=list(Role))}
    if len(groups) < len(Role):
        # The roles and their permissions come from migration followups 0002 alone.
        raise ImproperlyConfigured(
            "The role groups agent, supervisor and admin are missing: run "
            "`python manage.py migrate` (a test that flushes the database removes them too)."
        )
    users, kept = {}, []
    for spec in DEMO_USERS:
        user = User.objects.filter(username=spec.username).first()
        if user is not None:
            kept.append(spec.username)
        else:
            user = User.objects.create(
                username=spec.username,
                first_name=spec.name,
                password=hashed,
                is_staff=spec.role == Role.ADMIN,
            )
            user.groups.add(groups[spec.role])
        users[spec.username] = user
    return users, tuple(kept)


def _departments(hospital: Hospital) -> dict[str, Department]:
    departments = Department.objects.bulk_create(
        [Department(hospital=hospital, name=spec.name, code=spec.code) for spec in DEPARTMENTS]
    )
    return {department.code: department for department in departments}


def _default_policy() -> CallingPolicy:
    policy, created = CallingPolicy.objects.get_or_create(
        name=POLICY_NAME,
        defaults={
            "timezone": "Asia/Shanghai",
            "weekdays": "0123456",
            "holiday_rule": HolidayRule.SKIP_HOLIDAYS,
            "quiet_before": dt.time(8),
            "quiet_after": dt.time(21),
            # Only one policy may be the default; an admin's existing default stays so.
            "is_default": not CallingPolicy.objects.filter(is_default=True).exists(),
        },
    )
    if created:
        CallingWindow.objects.bulk_create(
            [
                CallingWindow(policy=policy, starts_at=dt.time(10, 30), ends_at=dt.time(11, 30)),
                CallingWindow(policy=policy, starts_at=dt.time(15), ends_at=dt.time(17, 30)),
            ]
        )
    return policy


def _published_scripts(*, by, at: dt.datetime) -> dict[str, ScriptVersion]:
    """The published version of each demo script by code, publishing one where none is."""
    versions = {}
    for spec in SCRIPTS:
        script, _ = CallScript.objects.get_or_create(
            code=spec.code,
            defaults={
                "name": spec.name,
                "case_kind": spec.case_kind,
                "description": spec.description,
            },
        )
        version = script.published_version()
        if version is None:
            last = script.versions.aggregate(last=Max("number"))["last"] or 0
            version = ScriptVersion.objects.create(
                script=script,
                number=last + 1,
                status=ScriptVersionStatus.PUBLISHED,
                graph=spec.graph,
                change_note="演示数据：首个发布版本",
                created_by=by,
                published_at=at,
                published_by=by,
            )
        versions[spec.code] = version
    return versions


def _plans(
    *, policy: CallingPolicy, scripts: dict[str, ScriptVersion]
) -> dict[CaseKind, FollowUpPlan]:
    plans = {}
    for spec in PLANS:
        plan, created = FollowUpPlan.objects.get_or_create(
            name=spec.name, defaults={"calling_policy": policy, "description": spec.description}
        )
        if created:
            PlanStep.objects.bulk_create(
                [
                    PlanStep(
                        plan=plan,
                        offset_days=offset,
                        script=scripts[spec.script_code].script,
                        deadline_days=spec.deadline_days,
                    )
                    for offset in spec.offsets
                ]
            )
        plans[spec.case_kind] = plan
    # Each case opened reads its plan's steps: read them once here instead.
    prefetch_related_objects(list(plans.values()), "steps")
    return plans


# --- People -----------------------------------------------------------------------------------


class _Registry:
    """Draws names and numbers without repeating one."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.names: set[str] = set()
        self.phones: set[str] = set()

    def name(self, gender: Gender) -> str:
        while True:
            name = self.rng.choice(SURNAMES) + self.rng.choice(GIVEN_NAMES[gender])
            if name not in self.names:
                self.names.add(name)
                return name

    def mobile(self) -> str:
        while True:
            number = f"+86{self.rng.choice(MOBILE_PREFIXES)}{self.rng.randrange(10**8):08d}"
            if number not in self.phones and phonenumbers.is_valid_number(
                phonenumbers.parse(number)
            ):
                self.phones.add(number)
                return number


def _customer(rng: random.Random, registry: _Registry, gender: Gender, *, phone: bool) -> Customer:
    return Customer(
        name=registry.name(gender),
        gender=gender,
        phone=registry.mobile() if phone else "",
        # Some leave a relative's number as well.
        phone_secondary=registry.mobile() if phone and rng.random() < 0.1 else "",
        preferred_slot=rng.choices(
            [PreferredSlot.ANY, PreferredSlot.MORNING, PreferredSlot.AFTERNOON], [6, 2, 2]
        )[0],
        recording_consent=rng.random() < 0.85,
    )


def _patients(
    rng: random.Random,
    registry: _Registry,
    *,
    today: dt.date,
    hospital: Hospital,
    departments: dict[str, Department],
) -> list[tuple[Customer, dict]]:
    indexes = range(PATIENT_COUNT)
    without_phone = set(rng.sample(indexes, PATIENTS_WITHOUT_PHONE))
    sensitive = set(rng.sample(indexes, SENSITIVE_PATIENTS))
    with_phone = [i for i in indexes if i not in without_phone]
    do_not_call = set(rng.sample(with_phone, DO_NOT_CALL_PATIENTS))
    deceased = set(rng.sample([i for i in with_phone if i not in do_not_call], DECEASED_PATIENTS))
    serials = rng.sample(range(10_000, 100_000), PATIENT_COUNT)
    customers, patients = [], []
    for i in indexes:
        spec = rng.choice(DEPARTMENTS)
        gender = Gender.FEMALE if spec.women_only else rng.choice([Gender.MALE, Gender.FEMALE])
        customer = _customer(rng, registry, gender, phone=i not in without_phone)
        if i in do_not_call:
            customer.do_not_call = True
            customer.do_not_call_reason = "本人来电要求不再接受回访"
        earliest = DECEASED_DISCHARGED_AT_LEAST_DAYS_AGO if i in deceased else 0
        discharged = today - dt.timedelta(days=rng.randint(earliest, DISCHARGES_OVER_DAYS - 1))
        admitted = discharged - dt.timedelta(days=rng.randint(2, 15))
        patients.append(
            Patient(
                customer=customer,
                hospital=hospital,
                medical_record_number=f"ZY{admitted.year}{serials[i]}",
                department=departments[spec.code],
                attending_doctor=rng.choice(spec.doctors),
                responsible_nurse=rng.choice(spec.nurses),
                diagnosis=rng.choice(spec.diagnoses),
                admitted_on=admitted,
                discharged_on=discharged,
                sensitive=i in sensitive,
                died_on=discharged + dt.timedelta(days=rng.randint(1, 2))
                if i in deceased
                else None,
            )
        )
        customers.append(customer)
    Customer.objects.bulk_create(customers)
    Patient.objects.bulk_create(patients)
    return [
        (
            patient.customer,
            {"patient": patient, "kind": CaseKind.DISCHARGE, "anchor_date": patient.discharged_on},
        )
        for patient in patients
    ]


def _other_customers(
    rng: random.Random, registry: _Registry, *, today: dt.date
) -> list[tuple[Customer, dict]]:
    rows = []
    for mix in OTHER_CASES:
        for _ in range(mix.count):
            product = rng.choice(mix.products)
            gender = (
                Gender.FEMALE
                if product in WOMEN_ONLY_PRODUCTS
                else rng.choice([Gender.MALE, Gender.FEMALE])
            )
            fields = {
                "kind": mix.kind,
                "product": product,
                "anchor_date": today - dt.timedelta(days=rng.randint(*mix.anchor_days_ago)),
                "intent_class": rng.choice("ABCD") if rng.random() < mix.with_intent else "",
            }
            rows.append((_customer(rng, registry, gender, phone=True), fields))
    Customer.objects.bulk_create([customer for customer, _ in rows])
    return rows


# --- Call history -----------------------------------------------------------------------------


@dataclass
class _Call:
    """One simulated call: what was said, in order, and how it ended."""

    disposition: str
    # (node or objection id, answer, is an objection)
    path: list[tuple[str, str, bool]]
    notes: str = ""


class _History:
    """The rows the history adds, collected to be written in a few bulk statements."""

    def __init__(self) -> None:
        self.attempts: list[CallAttempt] = []
        self.answers: list[ScriptAnswer] = []
        self.escalations: list[Escalation] = []
        self.tasks: list[FollowUpTask] = []
        self.cases: dict[int, Case] = {}
        self.last_call: dict[int, dt.date] = {}

    def save(self) -> None:
        raised = [escalation.created_at for escalation in self.escalations]
        CallAttempt.objects.bulk_create(self.attempts, batch_size=500)
        ScriptAnswer.objects.bulk_create(self.answers, batch_size=1000)
        Escalation.objects.bulk_create(self.escalations)
        # The auto timestamps said "now"; history was recorded when its calls ended.
        CallAttempt.objects.filter(pk__in=[attempt.pk for attempt in self.attempts]).update(
            created_at=F("ended_at")
        )
        for escalation, moment in zip(self.escalations, raised, strict=True):
            escalation.created_at = moment
        Escalation.objects.bulk_update(self.escalations, ["created_at"])
        _update_alike(self.tasks, TASK_HISTORY_FIELDS)
        cases = list(self.cases.values())
        _update_alike(cases, CASE_HISTORY_FIELDS)
        FollowUpTask.objects.filter(
            case__in=[case for case in cases if case.status == CaseStatus.CLOSED],
            status=TaskStatus.PENDING,
        ).update(status=TaskStatus.CANCELLED, status_reason="case_closed")


TASK_HISTORY_FIELDS = (
    "status",
    "kind",
    "attempts",
    "outcome_counts",
    "status_reason",
    "needs_number_fix",
    "earliest_at",
    "agent_id",
)
CASE_HISTORY_FIELDS = ("status", "closed_reason", "closed_at", "agent_id", "intent_class")


def _update_alike(objects: list[Model], fields: tuple[str, ...]) -> None:
    """Save `fields` of `objects` with one UPDATE per distinct set of values: most rows of
    the history share theirs, and bulk_update's CASE per row is many times slower."""
    if not objects:
        return
    groups: dict[str, tuple[dict, list[int]]] = {}
    for obj in objects:
        values = {field: getattr(obj, field) for field in fields}
        key = repr(sorted((field, repr(value)) for field, value in values.items()))
        groups.setdefault(key, (values, []))[1].append(obj.pk)
    model = type(objects[0])
    for values, pks in groups.values():
        model.objects.filter(pk__in=pks).update(**values)


def _call_history(
    rng: random.Random,
    *,
    cases: list[Case],
    scripts: dict[str, ScriptVersion],
    today: dt.date,
    rules: CallingRules,
    agents: list,
    supervisor,
) -> None:
    """Calls for the tasks due before today, made by the rules of scheduling: first in a
    window on the due day, retried where next_step_after_call says, until reached or done."""
    versions = {
        version.script_id: version
        for version in ScriptVersion.objects.filter(status=ScriptVersionStatus.PUBLISHED)
    }
    # Routine calls of an intent class have no plan step: they use the script of their kind.
    versions_by_kind = {spec.case_kind: scripts[spec.code] for spec in SCRIPTS}
    tasks = (
        FollowUpTask.objects.filter(case__in=cases, due_date__lt=today)
        .select_related("case__customer", "case__patient__department", "step")
        .order_by("case_id", "due_date", "pk")
    )
    history = _History()
    # A case whose number proved wrong, or that was closed, gets no further calls.
    stopped: set[int] = set()
    for task in tasks:
        # One Case object per case, whichever of its tasks is called.
        case = task.case = history.cases.get(task.case_id, task.case)
        if case.pk in stopped or not case.customer.phone or case.customer.do_not_call:
            continue
        if case.pk not in history.cases:
            case.agent = rng.choice(agents)
            history.cases[case.pk] = case
        step_script = task.step.script_id if task.step_id else None
        version = versions.get(step_script) or versions_by_kind[case.kind]
        follow = _call_task(rng, task, version=version, today=today, rules=rules, history=history)
        if follow in {FollowUpAction.SUSPEND, FollowUpAction.CLOSE_CASE}:
            stopped.add(case.pk)
    for escalation in history.escalations:
        _progress(escalation, today=today, owner=supervisor, rng=rng)
    history.save()
    # As after any call: a case with an intent class keeps its next routine call pending.
    for case_id, last_call in history.last_call.items():
        case = history.cases[case_id]
        if case.intent_class:
            schedule_intent_call(case=case, last_call=last_call)


def _call_task(
    rng: random.Random,
    task: FollowUpTask,
    *,
    version: ScriptVersion,
    today: dt.date,
    rules: CallingRules,
    history: _History,
) -> FollowUpAction | None:
    """Call a task until it is settled or its next try falls today or later; the last
    action taken, None when no call could be made before today."""
    case = task.case
    first_window = next_window_start(
        dt.datetime.combine(task.due_date, dt.time(), tzinfo=rules.zone), rules
    )
    earliest = rng.choice(windows_on(first_window.date(), rules))[0]
    outcomes: Counter[str] = Counter()
    called_on: list[dt.date] = []
    action = None
    while earliest.date() < today:
        number = sum(outcomes.values()) + 1
        started = _moment_in_window(rng, earliest, rules)
        call = _simulate_call(rng, version.graph, patient=case.patient, day=started.date())
        attempt = CallAttempt(
            task=task,
            agent=case.agent,
            started_at=started,
            ended_at=started + dt.timedelta(seconds=rng.randint(*CALL_SECONDS)),
            dialled_number=case.customer.phone,
            disposition=call.disposition,
            script_version=version,
            notes=call.notes,
            idempotency_key=f"demo-{task.pk}-{number}",
        )
        _apply_answers(rng, attempt, call, version.graph, case=case, history=history)
        history.attempts.append(attempt)
        history.last_call[case.pk] = started.date()
        spent = sum(outcomes[name] for name in NOT_REACHED)
        outcomes[call.disposition] += 1
        follow = next_step_after_call(
            disposition=call.disposition,
            called_at=started,
            rules=rules,
            budget=ContactBudget(
                budget=task.max_attempts,
                spent=spent,
                window_ends_on=task.window_ends_on,
                calls_today=sum(1 for moment in called_on if moment == started.date()),
            ),
        )
        called_on.append(started.date())
        action = follow.action
        if action is not FollowUpAction.RETRY:
            _settle(task, follow.action, reason=follow.reason, at=attempt.ended_at)
            break
        task.kind = TaskKind.RETRY
        task.earliest_at = earliest = follow.earliest
    if not outcomes:
        return None
    task.attempts = sum(outcomes.values())
    task.outcome_counts = dict(outcomes)
    task.agent = case.agent
    history.tasks.append(task)
    return action


def _moment_in_window(rng: random.Random, earliest: dt.datetime, rules: CallingRules):
    """A start time from `earliest` to the end of its window, leaving room for the call."""
    end = next(end for start, end in windows_on(earliest.date(), rules) if start <= earliest < end)
    room = int((end - earliest).total_seconds()) - CALL_SECONDS[1]
    return earliest + dt.timedelta(seconds=rng.randint(0, max(room, 0)))


def _settle(task: FollowUpTask, action: FollowUpAction, *, reason: str, at: dt.datetime) -> None:
    case = task.case
    if action is FollowUpAction.DONE:
        task.status = TaskStatus.DONE
    elif action is FollowUpAction.SUSPEND:
        task.status, task.needs_number_fix = TaskStatus.SUSPENDED, True
    elif action is FollowUpAction.UNREACHABLE:
        task.status = TaskStatus.UNREACHABLE
    elif action is FollowUpAction.WINDOW_MISSED:
        task.status = TaskStatus.WINDOW_MISSED
    elif action is FollowUpAction.CLOSE_CASE:
        task.status = TaskStatus.CANCELLED
        case.status, case.closed_reason, case.closed_at = CaseStatus.CLOSED, reason, at
    task.status_reason = "" if action is FollowUpAction.DONE else reason
    task.earliest_at = None


def _simulate_call(rng: random.Random, graph: dict, *, patient: Patient | None, day) -> _Call:
    died = patient.died_on if patient is not None else None
    if died is not None and died < day:
        return _Call(
            Disposition.DECEASED,
            [("greet", "", False), ("identity", "family", False)],
            notes=f"家属告知患者已于{died.year}年{died.month}月{died.day}日去世。",
        )
    pick_up = rng.choices(
        [*PICK_UP_WEIGHTS, Disposition.REFUSED],
        [*PICK_UP_WEIGHTS.values(), REFUSED_AT_ONCE_WEIGHT],
    )[0]
    if pick_up == Disposition.REFUSED:
        return _Call(Disposition.REFUSED, [("greet", "", False), ("dnc", "", True)])
    if pick_up != "answered":
        return _Call(pick_up, [])
    return _walk(rng, graph, day=day)


def _walk(rng: random.Random, graph: dict, *, day: dt.date) -> _Call:
    """Follow the script from its start to a closing, answering as people usually do."""
    nodes = {node["id"]: node for node in graph["nodes"]}
    node = nodes[graph["start"]]
    path = []
    while node["kind"] != "closing":
        if "options" in node:
            option = rng.choices(node["options"], _option_weights(node))[0]
            value, target = option["value"], option["next"]
        else:
            value, target = _free_answer(rng, node, day=day), node["next"]
        path.append((node["id"], value, False))
        node = nodes[target]
    path.append((node["id"], "", False))
    notes = next((value for node_id, value, _ in path if node_id == "q_note"), "")
    return _Call(node["disposition"], path, notes=notes)


def _option_weights(node: dict) -> list[float]:
    values = [option["value"] for option in node["options"]]
    if node["kind"] == "identity_check":
        return [IDENTITY_WEIGHTS[value] for value in values]
    known = OUTCOME_FIELD_WEIGHTS.get(node.get("outcome_field"))
    if known:
        return [known[value] for value in values]
    others = len(values) - 1
    return [USUAL_ANSWER_WEIGHT] + [(100 - USUAL_ANSWER_WEIGHT) / others] * others


def _free_answer(rng: random.Random, node: dict, *, day: dt.date) -> str:
    answer_type = node.get("answer_type")
    if answer_type == "text":
        return rng.choice(NOTES)
    if answer_type == "number":
        return str(rng.choice([6, 7, 8, 8, 9, 9, 10, 10, 10]))
    if answer_type == "date":
        return (day + dt.timedelta(days=rng.randint(1, 7))).isoformat()
    return ""


def _apply_answers(
    rng: random.Random,
    attempt: CallAttempt,
    call: _Call,
    graph: dict,
    *,
    case: Case,
    history: _History,
) -> None:
    """The path as ScriptAnswer rows, what it says about the customer, and any escalation."""
    fields = {node["id"]: node.get("outcome_field") for node in graph["nodes"]}
    said = {fields.get(node_id): value for node_id, value, _ in call.path}
    attempt.satisfaction = said.get("satisfaction", "")
    attempt.intent_class = said.get("intent_class", "")
    if attempt.intent_class:
        case.intent_class = attempt.intent_class
    history.answers += [
        ScriptAnswer(
            attempt=attempt, position=position, node_id=node_id, value=value, is_objection=objection
        )
        for position, (node_id, value, objection) in enumerate(call.path, start=1)
    ]
    escalation = _escalation(rng, attempt, case=case, red_flag=said.get("red_flag") == "yes")
    if escalation is not None:
        history.escalations.append(escalation)


def _escalation(
    rng: random.Random, attempt: CallAttempt, *, case: Case, red_flag: bool
) -> Escalation | None:
    department = case.patient.department if case.patient else None
    if red_flag:
        spec = next(spec for spec in DEPARTMENTS if spec.code == department.code)
        attempt.notes = f"患者诉{spec.warning_sign}，已转{department.name}值班医生。"
        return Escalation(
            case=case,
            attempt=attempt,
            category=EscalationCategory.MEDICAL,
            severity=EscalationSeverity.URGENT,
            department=department,
            description=attempt.notes,
            due_at=attempt.ended_at + dt.timedelta(hours=2),
            created_at=attempt.ended_at,
        )
    if attempt.satisfaction not in {Satisfaction.DISSATISFIED, Satisfaction.POOR}:
        return None
    category, complaints = DISSATISFACTION[case.kind]
    poor = attempt.satisfaction == Satisfaction.POOR
    return Escalation(
        case=case,
        attempt=attempt,
        category=category,
        severity=EscalationSeverity.HIGH if poor else EscalationSeverity.NORMAL,
        department=department,
        description=f"客户评价“{SATISFACTION_WORDS[attempt.satisfaction]}”：{rng.choice(complaints)}。",
        due_at=attempt.ended_at + dt.timedelta(days=1 if poor else 3),
        created_at=attempt.ended_at,
    )


def _progress(escalation: Escalation, *, today: dt.date, owner, rng: random.Random) -> None:
    """How far an escalation has come by today: urgent ones are handled the same day, the
    rest are acknowledged after two days and resolved within a week."""
    raised = escalation.created_at
    age_days = (today - timezone.localdate(raised)).days
    urgent = escalation.severity == EscalationSeverity.URGENT
    if age_days < (1 if urgent else 3):
        return
    escalation.owner = owner
    escalation.status = EscalationStatus.ACKNOWLEDGED
    escalation.acknowledged_at = raised + dt.timedelta(hours=1)
    if urgent or age_days > 7:
        escalation.status = EscalationStatus.RESOLVED
        escalation.resolved_at = raised + dt.timedelta(hours=3 if urgent else 48)
        escalation.resolution = URGENT_RESOLUTION if urgent else rng.choice(RESOLUTIONS)
