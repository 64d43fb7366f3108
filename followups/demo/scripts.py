"""The demo's call scripts: four published graphs (schema 1, the one the script editor
builds on) sharing a greeting, an identity check, satisfaction, complaint, note and
closings around each script's own middle."""

from __future__ import annotations

from dataclasses import dataclass

from followups.models import CaseKind

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
