"""Demo step: a few hundred cases across 江门市 in every state of the closed loop (R18.1,
R24.1–R24.4, R25.1, R26.1, R27.1).

Over 600 lines: the demo's case stories are data told as code, one short function a story.

Every case is a story replayed through the services, at its own times over the last 60 days
(:func:`cases.primitives.acting_at`: the archive stores and hashes those times, so
``manage.py verify_archive`` passes). The stories cover the whole machine: reports by grid
workers, residents and the 12345 hotline; false reports; settled on the spot; declined;
waiting to be accepted or dispatched; dispatched to lead and co-departments; signed, in
progress (some amber, some overdue), extended, suspended and resumed, supervised (督办) and
answered; returned outside duties, disputes settled by a recorded ruling; fed back, failed
checks sent back for rework, closed, rated; escalated to the county and to the city.

Who acts: the demo accounts of the people step where they fit (``grid_worker`` and
``grid_leader`` in their grid, ``baisha_dispatcher`` for 白沙街道, ``shaping_admin`` for
沙坪街道, ``pengjiang_admin``/``heshan_admin``/``city_admin`` for the county and city agencies
and as supervisors, ``pj_police``/``pj_urban`` for 蓬江区's 公安 and 城管, ``resident`` for
public reports), the system ("demo") everywhere else. Nearly half the cases are in 白沙街道,
so that every demo account has work to see.

Deterministic (one seeded generator; times are relative to the moment of loading) and
idempotent: each case has a client id, and a case already there is skipped. The deadline
colours are set by one sweep at the end, at the real time of loading (R24.2, R24.3).
"""

from __future__ import annotations

import datetime as dt
import io
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import shapely
from django.core.files.base import ContentFile
from django.db.models import Count
from django.utils import timezone
from PIL import Image, ImageDraw

from audit import personal_data as pd
from audit import services as audit
from cases import clock, co_departments, primitives, services
from cases.inputs import ReportInput
from cases.models import Case, DeadlineStatus, Extension, Level, State
from demo.actions import DemoAction
from demo.steps import CITY_CODE
from gridgov.errors import DomainError
from matters.models import AdmissionEntry, AdmissionListVersion
from people.models import Department, GridAssignment, User
from regions import index as grid_index
from regions.models import Grid, Region
from workdays import services as calendar

ACTOR = "demo"
SEED = 20240601
DAYS = 60
BAISHA = "440703002"
PENGJIANG = "440703"
HESHAN = "440784"
SHAPING = "440784001"

# Which demo account acts for which agency, department or grid role (the people step's).
TOWNSHIP_AGENCY = {BAISHA: "baisha_dispatcher", SHAPING: "shaping_admin"}
COUNTY_AGENCY = {PENGJIANG: "pengjiang_admin", HESHAN: "heshan_admin", CITY_CODE: "city_admin"}
DEPARTMENT_ACCOUNT = {
    (PENGJIANG, "police"): "pj_police",
    (PENGJIANG, "urban_management"): "pj_urban",
}

# The stories and how many of each: (name, count). Most end closed or rated, as in life.
PLAN: list[tuple[str, int]] = [
    ("reported", 12),
    ("hotline", 8),
    ("false_report", 6),
    ("verified", 10),
    ("verified_late", 6),
    ("accepted", 8),
    ("declined", 10),
    ("dispatched", 10),
    ("dispatched_late", 6),
    ("in_progress", 18),
    ("in_progress_amber", 10),
    ("in_progress_late", 12),
    ("extension_pending", 4),
    ("extension_decided", 8),
    ("supervised", 8),
    ("returned", 6),
    ("dispute", 8),
    ("handled", 14),
    ("rework", 8),
    ("suspended", 6),
    ("resumed", 4),
    ("escalated_waiting", 5),
    ("escalated_county", 8),
    ("escalated_city", 4),
    ("settled", 30),
    ("closed", 40),
    ("evaluated", 84),
]

# Where: (area, share). "demo_grid" is the grid of the grid_worker/grid_leader accounts.
AREAS = [
    ("demo_grid", 0.16),
    ("baisha", 0.30),
    ("pengjiang", 0.24),
    ("heshan", 0.16),
    ("other", 0.14),
]

# Matters reported often, in every county (catalogue codes of demo/matters.py).
COMMON = {"0101", "0201", "0301", "0302", "0401", "0403", "0601", "0701", "0702", "0801",
          "0802", "0803", "0901", "0904", "1001", "1102", "1602"}  # fmt: skip

ROADS = {
    PENGJIANG: ["白沙大道", "建设路", "港口路", "胜利路", "江华路", "迎宾大道", "堤中路",
                "农林路", "篁庄大道", "跃进路", "甘化路", "丰乐路", "东华一路", "水南路"],
    HESHAN: ["人民路", "鹤山大道", "新华路", "沙坪大道", "中山路", "昆东路", "越塘路"],
    "": ["中心路", "环市路", "新兴路", "人民路", "解放路", "东门路", "站前路", "江南路"],
}  # fmt: skip
ESTATES = ["江华花园", "白沙新村", "丰乐苑", "建设三村", "海逸城邦", "凯茵新城", "东华花园",
           "怡福花园", "骏景湾", "白石花园", "沙坪新都", "碧桂园", "翠园小区"]  # fmt: skip
MARKETS = ["白沙市场", "北街市场", "水南市场", "沙坪市场", "农贸市场"]
RIVERS = ["天沙河", "江门河", "杜阮河", "沙坪河", "西江支流"]
NAMES = ["陈", "李", "黄", "张", "梁", "林", "何", "吴", "刘", "谢", "冯", "叶"]

# What people write (R24.1): a few ways to report each common matter; {…} are filled in.
DESCRIPTIONS: dict[str, list[str]] = {
    "0101": ["{road}与{road2}交界处约两百米路段照明缺失,夜间行人稀少,存在治安隐患",
             "{village}{n}巷一处废弃厂房无人看管,门窗破损,常有闲杂人员出入"],
    "0102": ["{road}公交站旁有一个无人认领的行李箱,已放置半天以上",
             "{estate}小区附近连续几晚有陌生人逐个查看车辆门把手"],
    "0103": ["{village}{n}号出租屋新入住{k}名外来务工人员,尚未办理居住登记"],
    "0201": ["{estate}{n}栋住户反映楼上长期在公共楼道堆放杂物,双方多次争吵",
             "{village}两户村民因宅基地边界围墙问题发生争执,情绪较激动"],
    "0202": ["{village}一户居民夫妻长期争吵,邻居反映昨晚有摔砸物品声音"],
    "0203": ["{estate}业主反映电梯故障停运一周,物业未安排维修",
             "{estate}物业与业主因停车收费标准发生纠纷,业主聚集在物业办公室"],
    "0301": ["{estate}{n}栋消防通道被私家车长期占用,消防车无法通行",
             "{road}{n}号商铺在消防通道堆放货物"],
    "0302": ["{estate}{n}栋楼道内有住户私拉电线给电动自行车充电",
             "{village}{n}号出租屋一楼楼梯间停放多辆电动车并飞线充电"],
    "0303": ["{road}{n}号小作坊内堆放大量纸箱等易燃物,未配备灭火器"],
    "0304": ["{road}一家餐馆后厨液化气瓶露天存放,连接软管老化开裂"],
    "0305": ["{village}工业区一家五金厂车间通道堆满原料,安全出口被锁"],
    "0401": ["{road}绿化带内堆积生活垃圾,天气炎热散发异味",
             "{village}村口垃圾收集点满溢,垃圾散落路面"],
    "0402": ["{road}人行天桥柱面和配电箱被张贴大量小广告"],
    "0403": ["{road}人行道上堆放砖块、沙石等建筑材料,占用通行空间",
             "{estate}{n}栋架空层堆放废旧家具"],
    "0404": ["{road}沿街商铺在行道树之间拉绳晾晒衣物"],
    "0405": ["{village}农田边有村民焚烧秸秆树叶,烟雾飘向居民区"],
    "0501": ["{road}{n}号商铺招牌松动倾斜,台风天存在坠落风险"],
    "0502": ["{estate}小区门口有人派发非法小广告"],
    "0601": ["{road}工地夜间十点后仍在打桩施工,噪音扰民",
             "{estate}旁边工地凌晨运输渣土,车辆噪音大"],
    "0602": ["{road}工地围挡破损,土方未覆盖,扬尘较大"],
    "0603": ["{road}管道开挖后路面未恢复,留有坑槽,晚上看不清"],
    "0701": ["{road}{n}号附近流动摊贩占用人行道经营水果",
             "{market}外摊档占道经营,早高峰影响行人通行"],
    "0702": ["{road}路口机动车违停,堵塞非机动车道", "{estate}小区门口车辆乱停,堵住出入口"],
    "0703": ["{road}地铁口附近共享单车大量堆放,占满盲道"],
    "0704": ["{road}夜宵档在人行道露天烧烤,油烟较大"],
    "0801": ["{road}{n}号门前井盖破损下陷,存在安全隐患", "{estate}小区门口雨水井盖缺失"],
    "0802": ["{road}有{k}盏路灯不亮,夜间路段昏暗", "{estate}小区外围道路路灯闪烁,时亮时灭"],
    "0803": ["{road}路面出现多处坑洼,雨后积水", "{village}村道路面塌陷约一米宽"],
    "0804": ["{road}交叉口交通指示牌被撞倒,倒伏在人行道上"],
    "0805": ["{road}公交站旁垃圾桶破损,垃圾外溢"],
    "0806": ["{road}行道树被大风吹倒,压住人行道护栏"],
    "0901": ["{road}{n}号餐饮店油烟直排,楼上住户多次投诉"],
    "0902": ["{river}{village}段水面漂浮大量垃圾,水体发黑发臭"],
    "0904": ["{estate}小区广场舞音响音量过大,持续到晚上十点",
             "{road}{n}号商铺用大喇叭循环播放促销广告"],
    "1001": ["{village}{n}号天台正在加建铁皮房", "{estate}{n}栋业主封闭公共走廊扩建"],
    "1003": ["{village}一处老旧泥砖房墙体开裂,仍有老人居住"],
    "1101": ["{village}一户家庭主要劳动力因病失去收入,生活困难"],
    "1102": ["{village}独居老人{name}伯近日身体不适,需上门探访",
             "{estate}{n}栋独居老人多日未见出门,邻居担心"],
    "1401": ["{estate}小区地下车库积水,蚊虫孳生"],
    "1501": ["{village}村道两侧杂草丛生,垃圾散落"],
    "1601": ["{village}后山边坡雨后出现裂缝和落石"],
    "1602": ["{road}下穿通道积水约{k}十厘米,车辆无法通行", "{estate}小区门口暴雨后积水没过脚踝"],
    "1603": ["{village}山边一处挡土墙出现裂缝,台风期间有垮塌风险"],
    "1701": ["{village}居民反映公交站点撤销后出行不便"],
    "1802": ["{village}一名老人准备大额转账购买“保健品”,疑似被骗"],
    "2003": ["{estate}新交付楼栋入住人口信息待采集"],
    "0104": ["{road}{n}号快递驿站包裹未实名收寄,包裹堆放在门外无人看管"],
    "0105": ["{road}小学放学时段校门口车辆乱停、摊贩聚集,学生过马路不安全"],
    "0204": ["{village}两个村民小组因一片山林边界发生争议,双方准备砍伐对方树木"],
    "0205": ["{village}邻居反映某户夜间传出哭喊声,疑似存在家庭暴力"],
    "0306": ["{village}工业区一间仓库内违规存放多桶油漆稀释剂,无防护措施"],
    "0503": ["{road}天桥上悬挂的宣传横幅破损下垂,影响车辆通行视线"],
    "0903": ["{village}工业区一家企业傍晚排放刺鼻气味,周边居民投诉"],
    "0905": ["{village}一户养殖场污水直排水沟,气味较大"],
    "1002": ["{village}一户村民在山脚削坡建房,边坡未做防护"],
    "1004": ["{village}有人在基本农田上打桩,疑似准备建房"],
    "1103": ["{village}一户家庭的残疾人需申请辅具和护理补贴,不清楚办理流程"],
    "1104": ["{road}桥底有一名流浪人员连续数日露宿,衣着单薄"],
    "1105": ["{village}后山发现新建坟墓一座,位于禁葬区内"],
    "1201": ["{village}工业区一家工厂拖欠{k}十多名工人两个月工资"],
    "1202": ["{village}一名就业困难人员希望参加技能培训并推荐就业"],
    "1203": ["{village}几位灵活就业人员咨询城乡居民养老保险参保办理"],
    "1301": ["{road}{n}号二楼疑似无证经营网吧,深夜仍有未成年人进出"],
    "1302": ["{market}附近地摊销售疑似盗版光碟书籍"],
    "1303": ["{village}祠堂侧墙灰塑脱落,屋檐有漏雨现象"],
    "1304": ["{village}景区入口周末游客车辆乱停,出现拉客现象"],
    "1402": ["{estate}{n}栋近日多名住户出现发热症状,请卫生部门关注"],
    "1403": ["{road}{n}号一间无牌诊所为居民输液"],
    "1404": ["{market}公共厕所卫生差,长时间无人清洁"],
    "1502": ["{village}菜地旁丢弃大量农药空瓶"],
    "1503": ["{village}一片约{k}十亩耕地连续两年无人耕种"],
    "1504": ["{village}一户养殖户家禽出现异常死亡"],
    "1604": ["{village}后山有人上坟烧纸,周边林地干燥"],
    "1702": ["{village}工业区数十名工人聚集在厂门口讨要说法"],
    "1703": ["{village}信访人反映的征地补偿问题需跟进回访"],
    "1801": ["{estate}新入住住户较多,需开展反诈宣传入户"],
    "1803": ["{village}有人高价收购银行卡和手机卡"],
    "1901": ["按计划对{village}一名社区矫正对象开展走访,了解其近期情况"],
    "1902": ["{village}一名刚刑满释放人员返乡,需落实帮教措施"],
    "1903": ["{village}一名随访对象近期情绪不稳定,家属请求协助"],
    "1904": ["{village}一名社区戒毒康复人员需协助办理就业登记"],
    "1905": ["{village}一户留守儿童父母在外务工,祖辈照看困难"],
    "2001": ["{village}行动不便的老人需代办高龄津贴申领"],
    "2002": ["{village}多位老人不会使用粤省事办理社保认证"],
}  # fmt: skip
SETTLE_NOTES = ["已现场劝导当事人整改,恢复原状", "已联系物业现场清理完毕",
                "已现场协调双方,达成一致", "已督促商户即时整改并拍照留存",
                "已清理完毕,恢复通行"]  # fmt: skip
FEEDBACK_NOTES = ["已派员到场处置,问题已整改到位", "已完成维修,现场恢复正常",
                  "已对当事人进行教育并责令整改,复查已整改", "已联合相关单位清理完毕",
                  "已立案查处,现场已恢复"]  # fmt: skip
CO_NOTES = ["已配合牵头部门到场处置", "已协助清理现场"]
END_REASONS = ["牵头部门已一并处置完毕,无需协办", "经核实不涉及协办部门职责"]
OPEN_PARTS = ("dispatched", "signed")
DECLINE_REASONS = ["经核实属小区物业内部管理事项,已告知反映人向物业反映",
                   "重复上报,已并入同一事件办理", "反映问题已自行解决,无需处置"]  # fmt: skip
FALSE_NOTES = ["现场核实无此情况", "到场查看,反映的问题不存在"]
RETURN_REASONS = ["经现场核查,该处为小区内部道路,不属本部门管理范围",
                  "该事项属其他部门法定职责,非本部门职责范围",
                  "反映位置不在本部门辖区"]  # fmt: skip
EXTENSION_REASONS = ["需采购更换配件,到货需时", "涉及多个产权单位,需协调后处置",
                     "需等待检测报告"]  # fmt: skip
SUSPENSION_REASONS = ["需等待供电部门停电检修后方可施工", "当事人外出务工,需等其返回后调解",
                      "受台风天气影响,暂停户外作业"]  # fmt: skip
SUPERVISION_NOTES = ["该事件已超期,请加快办理并说明原因", "群众多次来电催办,请尽快处理"]
ANSWERS = ["已安排专人跟进,预计两个工作日内办结", "已到场处置,正在整改"]
CHECK_FAILS = ["现场复核问题仍未解决,请返工", "整改不彻底,请重新处置"]
ESCALATIONS = ["涉及跨镇街,需区级统筹协调", "超出镇街处置权限,请求上级支持"]
CITY_ESCALATIONS = ["涉及跨区协调,提请市级统筹"]
COMMENTS = {
    "satisfied": ["处理很及时,点赞", "问题已解决,谢谢工作人员", "响应快,态度好"],
    "basically": ["处理了,但速度有点慢", "基本解决,希望加强巡查"],
    "unsatisfied": ["问题反复出现,希望能根治", "处理太慢了"],
}
RESIDENT_NAMES = ["陈女士", "李先生", "黄阿姨", "梁先生", "张女士", "何先生"]


class TooLate(Exception):
    """The story would go past the moment of loading: it stops where it is."""


class AlreadyThere(Exception):
    """The case of this story was loaded before (its client id is on record)."""


@dataclass
class Place:
    grid_code: str
    lng: float
    lat: float
    county: str
    township: str
    address: str
    worker_name: str
    fill: dict[str, str]


@dataclass
class Story:
    """One case replayed: its clock, the generator and who acts."""

    cast: Cast
    rng: random.Random
    at: dt.datetime
    end: dt.datetime
    client_id: str
    case: Case | None = None

    def later(self, low: float, high: float, *, office: bool = True) -> dt.datetime:
        """Move the clock on by low…high hours (into office hours for staff); TooLate when
        that is past the moment of loading."""
        moment = self.at + dt.timedelta(hours=self.rng.uniform(low, high))
        if office:
            moment = _office(moment, self.rng)
        if moment >= self.end:
            raise TooLate
        self.at = moment
        return moment

    def act(self, call: Callable[[], Any]) -> Any:
        """Take a step at the story's time; a case answered is the case from now on."""
        with primitives.acting_at(self.at):
            result = call()
        if isinstance(result, Case):
            self.case = result
        return result

    @property
    def now(self) -> Case:
        """The case as the last step left it (services answer the case they changed)."""
        assert self.case is not None
        return self.case


@dataclass
class Cast:
    accounts: dict[str, User | str]
    entries: dict[str, list[AdmissionEntry]]  # county → entries of the list in force
    places: dict[str, list[str]]  # area → grid codes
    demo_grid: str | None
    departments: dict[str, list[Department]] = field(default_factory=dict)  # by county
    department_accounts: dict[int, User | str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # region code → name
    workers: dict[str, str] = field(default_factory=dict)  # grid code → full-time worker

    def account(self, username: str | None) -> User | str:
        return self.accounts.get(username or "", ACTOR)

    def reporter(self, case: Case) -> User | str:
        found = [u for u in self.accounts.values() if getattr(u, "pk", None) == case.reporter_id]
        return found[0] if found else ACTOR

    def agency(self, case: Case) -> User | str:
        code = case.agency_code
        return self.account(TOWNSHIP_AGENCY.get(code) or COUNTY_AGENCY.get(code))

    def supervisor(self, case: Case) -> User | str:
        return self.account(COUNTY_AGENCY.get(case.county_code) or "city_admin")

    def department(self, case: Case, department_id: int | None = None) -> User | str:
        return self.department_accounts.get(department_id or case.lead_department_id, ACTOR)

    def grid_worker(self, case: Case, *, leader: bool = False) -> User | str:
        if case.grid_code == self.demo_grid:
            return self.account("grid_leader" if leader else "grid_worker")
        return ACTOR


def _office(moment: dt.datetime, rng: random.Random) -> dt.datetime:
    """The next moment staff are at work: a working day, 08:30–17:30 local time."""
    local = timezone.localtime(moment)
    for _ in range(14):
        day = local.date()
        start = local.replace(hour=8, minute=30, second=0, microsecond=0)
        end = local.replace(hour=17, minute=30, second=0, microsecond=0)
        if _workday(day) and local < end:
            if local < start:
                local = start + dt.timedelta(minutes=rng.randrange(0, 90))
            return local
        local = (local + dt.timedelta(days=1)).replace(
            hour=8, minute=30 + rng.randrange(0, 29), second=0, microsecond=0
        )
    return local


def _workday(day: dt.date) -> bool:
    try:
        return calendar.is_workday(day)
    except calendar.CalendarNotCovered:
        return day.weekday() < 5


# --- photos ---------------------------------------------------------------------------------


def _photo(rng: random.Random, name: str) -> ContentFile:
    """A small JPEG "scene": sky, ground and a few shapes, different for every draw."""
    width, height = 240, 180
    image = Image.new("RGB", (width, height), _colour(rng, 150, 230))
    draw = ImageDraw.Draw(image)
    horizon = rng.randrange(70, 120)
    draw.rectangle((0, horizon, width, height), fill=_colour(rng, 60, 140))
    for _ in range(rng.randrange(3, 8)):
        x, y = rng.randrange(0, width), rng.randrange(20, height)
        w, h = rng.randrange(15, 80), rng.randrange(10, 70)
        shape = draw.rectangle if rng.random() < 0.6 else draw.ellipse
        shape((x, y, x + w, y + h), fill=_colour(rng, 20, 220), outline=(40, 40, 40))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=70)
    return ContentFile(buffer.getvalue(), name=name)


def _colour(rng: random.Random, low: int, high: int) -> tuple[int, int, int]:
    return (rng.randrange(low, high), rng.randrange(low, high), rng.randrange(low, high))


def _photos(rng: random.Random, low: int, high: int, what: str) -> list[ContentFile]:
    return [_photo(rng, f"{what}{i + 1}.jpg") for i in range(rng.randint(low, high))]


# --- places and matters ---------------------------------------------------------------------


def _counties_in_force() -> dict[str, list[AdmissionEntry]]:
    """County code → the entries of its admission list in force (R9.1)."""
    found: dict[str, list[AdmissionEntry]] = {}
    versions = AdmissionListVersion.objects.published().select_related("admission_list__county")
    latest: dict[str, AdmissionListVersion] = {}
    for version in versions.order_by("number"):
        latest[version.admission_list.county.code] = version
    for county, version in sorted(latest.items()):
        entries = list(
            AdmissionEntry.objects.filter(version=version).select_related("item").order_by("pk")
        )
        if entries:
            found[county] = entries
    return found


def _areas(counties: list[str], demo_grid: str | None) -> dict[str, list[str]]:
    codes = list(
        Grid.objects.current()
        .filter(code__startswith=CITY_CODE, geometry_wkb__isnull=False)
        .order_by("code")
        .values_list("code", flat=True)
    )
    areas: dict[str, list[str]] = {name: [] for name, _share in AREAS}
    for code in codes:
        if code[:6] not in counties:
            continue
        if code == demo_grid:
            areas["demo_grid"].append(code)
        elif code.startswith(BAISHA):
            areas["baisha"].append(code)
        elif code.startswith(PENGJIANG):
            areas["pengjiang"].append(code)
        elif code.startswith(HESHAN):
            areas["heshan"].append(code)
        else:
            areas["other"].append(code)
    return {name: grids for name, grids in areas.items() if grids}


def _place(cast: Cast, rng: random.Random) -> Place:
    names = [name for name, _share in AREAS if name in cast.places]
    weights = [share for name, share in AREAS if name in cast.places]
    area = rng.choices(names, weights)[0]
    code = rng.choice(cast.places[area])
    grid = Grid.objects.current().only("code", "geometry_wkb").get(code=code)
    lng, lat = _point_in(grid, rng)
    roads = ROADS.get(code[:6], ROADS[""])
    road = rng.choice(roads)
    n = rng.randrange(1, 120)
    fill = {
        "road": road,
        "road2": rng.choice([r for r in roads if r != road] or roads),
        "village": _short(cast.names.get(code[:12], "")),
        "estate": rng.choice(ESTATES),
        "market": rng.choice(MARKETS),
        "river": rng.choice(RIVERS),
        "name": rng.choice(NAMES),
        "n": str(n),
        "k": str(rng.randrange(2, 6)),
    }
    county_name, township_name = cast.names.get(code[:6], ""), cast.names.get(code[:9], "")
    return Place(
        grid_code=code,
        lng=lng,
        lat=lat,
        county=code[:6],
        township=code[:9],
        address=f"江门市{county_name}{township_name}{fill['village']}{road}{n}号附近",
        worker_name=cast.workers.get(code, ""),
        fill=fill,
    )


def _short(village_name: str) -> str:
    for suffix, short in (
        ("社区居民委员会", "社区"),
        ("居民委员会", "社区"),
        ("村民委员会", "村"),
        ("社区居委会", "社区"),
        ("居委会", "社区"),
        ("村委会", "村"),
    ):
        if village_name.endswith(suffix) and len(village_name) > len(suffix):
            return village_name[: -len(suffix)] + short
    return village_name


def _point_in(grid: Grid, rng: random.Random) -> tuple[float, float]:
    """A point well inside the grid that the grid index places in it."""
    geom = grid.geometry
    inner = geom.buffer(-0.0003)
    if inner.is_empty:
        inner = geom
    minx, miny, maxx, maxy = inner.bounds
    index = grid_index.get_index()
    for _ in range(30):
        lng, lat = round(rng.uniform(minx, maxx), 6), round(rng.uniform(miny, maxy), 6)
        if inner.contains(shapely.Point(lng, lat)):
            found = index.locate(lng, lat)
            if found is not None and found.code == grid.code:
                return lng, lat
    point = inner.representative_point()
    return round(point.x, 6), round(point.y, 6)


def _entry(cast: Cast, county: str, rng: random.Random, *, spot: bool | None = None) -> Any:
    entries = cast.entries[county]
    if spot is not None:
        entries = [e for e in entries if e.item.settle_on_spot_allowed == spot] or entries
    weights = [4 if e.item.code in COMMON else 1 for e in entries]
    return rng.choices(entries, weights)[0]


def _description(entry: Any, place: Place, rng: random.Random) -> str:
    templates = DESCRIPTIONS.get(entry.item.code)
    if not templates:
        fill = place.fill
        return f"{fill['village']}{fill['road']}{fill['n']}号附近:{entry.item.name},请核查"
    return rng.choice(templates).format(**place.fill)


# --- the steps of a story -------------------------------------------------------------------


def _report(
    story: Story,
    *,
    channel: str,
    settle: bool = False,
    place: Place | None = None,
    entry: Any = None,
) -> None:
    """The case comes in: a grid worker (or the system for grids without a demo account),
    a resident of the public, or hotline staff for a caller (R18.1, R24.1)."""
    cast, rng = story.cast, story.rng
    place = place or _place(cast, rng)
    entry = entry or _entry(cast, place.county, rng, spot=True if settle else None)
    description = _description(entry, place, rng)
    common = {
        "lng": place.lng,
        "lat": place.lat,
        "matter": entry.item.code,
        "description": description,
        "address": place.address,
        "client_id": story.client_id,
        "urgent": rng.random() < 0.07,
    }
    if channel == "worker":
        demo_grid = place.grid_code == cast.demo_grid
        actor = cast.account(rng.choice(["grid_worker", "grid_worker", "grid_leader"])) if (
            demo_grid
        ) else ACTOR  # fmt: skip
        extra: dict[str, Any] = {"photos": _photos(rng, 1, 3, "现场")}
        if actor == ACTOR:
            extra |= {"channel": "worker", "reporter_name": place.worker_name or "网格员"}
        if settle:
            extra |= {"settle_note": rng.choice(SETTLE_NOTES)}
    elif channel == "portal":
        actor = cast.account("resident")
        extra = {"photos": _photos(rng, 0, 2, "随手拍"), "reporter_phone": _phone(rng)}
        if actor == ACTOR:
            extra |= {"channel": "portal", "reporter_name": rng.choice(RESIDENT_NAMES)}
    else:  # the 12345 hotline, entered by the township agency for a caller
        actor = cast.account(TOWNSHIP_AGENCY.get(place.township))
        extra = {
            "channel": "hotline",
            "reporter_name": rng.choice(RESIDENT_NAMES),
            "reporter_phone": _phone(rng),
        }
    if actor == ACTOR and channel == "hotline":
        extra["channel"] = "hotline"
    if persons := _involved(story, place, channel):
        extra["involved"] = persons
    result = story.act(lambda: services.intake(actor, ReportInput(**common, **extra)))
    story.case = result.case
    if not result.created:
        raise AlreadyThere


INVOLVED_NAMES = ["陈某", "李某", "黄某", "梁某", "张某", "何某", "吴某", "林某", "周某"]
INVOLVED_SHARE = {"hotline": 0.5, "worker": 0.2, "portal": 0.0}  # residents name no one


def _involved(story: Story, place: Place, channel: str) -> list[dict[str, str]]:
    """The people a report names (R22.1: stored encrypted, shown masked, revealed logged):
    a hotline caller's dispute names the other party, a worker's report sometimes the
    parties. Drawn from a generator of its own, so the stories' other draws stay as they
    were."""
    rng = random.Random(f"{SEED}-{story.client_id}-involved")
    if rng.random() >= INVOLVED_SHARE[channel]:
        return []
    persons = [
        {
            "name": rng.choice(INVOLVED_NAMES),
            "role": "party",
            "phone": _phone(rng),
            "id_number": _id_number(rng, place.county),
        }
    ]
    if rng.random() < 0.5:
        persons.append(
            {"name": rng.choice(INVOLVED_NAMES), "role": "respondent", "phone": _phone(rng)}
        )
    if rng.random() < 0.2:
        persons.append({"name": rng.choice(INVOLVED_NAMES), "role": "witness"})
    return persons


def _id_number(rng: random.Random, county: str) -> str:
    birth = f"{rng.randrange(1955, 2003)}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}"
    first17 = f"{county}{birth}{rng.randrange(1000):03d}"
    return first17 + pd.id_check_char(first17)


def _phone(rng: random.Random) -> str:
    return rng.choice(("135", "137", "138", "139", "158", "188")) + "".join(
        str(rng.randrange(10)) for _ in range(8)
    )


def _verify(story: Story, *, valid: bool = True) -> None:
    story.later(0.5, 4)
    case = story.now
    actor = story.cast.grid_worker(case)
    note = "现场核实情况属实" if valid else story.rng.choice(FALSE_NOTES)
    photos = _photos(story.rng, 1, 1, "核实") if valid else []
    story.act(lambda: services.verify(actor, case.pk, valid=valid, note=note, photos=photos))


def _accept(story: Story) -> None:
    story.later(0.2, 1.2)
    case = story.now
    story.act(lambda: services.accept(story.cast.agency(case), case.pk, note="予以立案"))


def _dispatch(story: Story, *, lead: Department | None = None, ruling: str = "") -> None:
    story.later(0.1, 1.0)
    case = story.now
    story.act(
        lambda: services.dispatch(
            story.cast.agency(case),
            case.pk,
            lead_department=lead.pk if lead else None,
            ruling=ruling,
            note="请按时限办理",
        )
    )


def _sign(story: Story) -> None:
    story.later(0.3, 5)
    case = story.now
    story.act(lambda: services.sign(story.cast.department(case), case.pk))
    co = case.assignments.filter(state="dispatched", role="co")
    for assignment in list(co):
        # (the system signs for the first co-department still waiting: the lead has signed)
        actor = story.cast.department(case, assignment.department_id)
        story.later(0.1, 3)
        story.act(lambda actor=actor: services.sign(actor, case.pk))


def _feedback(story: Story, *, low: float = 4, high: float = 40) -> None:
    case = story.now
    co = case.assignments.filter(state="signed", role="co")
    for assignment in list(co):
        actor = story.cast.department(case, assignment.department_id)
        if actor != ACTOR:  # the system would feed back for the lead: only accounts do here
            story.later(1, 12)
            note = story.rng.choice(CO_NOTES)
            story.act(lambda actor=actor, note=note: services.feedback(actor, case.pk, note=note))
    story.later(low, high)
    note = story.rng.choice(FEEDBACK_NOTES)
    photos = _photos(story.rng, 1, 2, "处置后")
    # what the reporter sees on the tracking page: the result, and the photos after it
    story.act(
        lambda: services.feedback(
            story.cast.department(case),
            case.pk,
            note=note,
            public_note=note,
            public_photos=photos,
        )
    )


def _check(story: Story, *, passed: bool = True) -> None:
    story.later(2, 20)
    case = story.now
    if passed:
        # A co-department without an account never fed back its part: the agency ends it
        # with a reason, or the case could not close (R25.1).
        for assignment in list(case.assignments.filter(role="co", state__in=OPEN_PARTS)):
            reason = story.rng.choice(END_REASONS)
            story.act(
                lambda pk=assignment.pk, reason=reason: co_departments.end_assignment(
                    story.cast.agency(case), case.pk, assignment=pk, reason=reason
                )
            )
    by_worker = case.grid_code == story.cast.demo_grid and story.rng.random() < 0.5
    actor = story.cast.grid_worker(case) if by_worker else story.cast.agency(case)
    note = "现场复核已整改到位" if passed else story.rng.choice(CHECK_FAILS)
    story.act(lambda: services.check(actor, case.pk, passed=passed, note=note))


def _evaluate(story: Story) -> None:
    story.later(1, 48, office=False)
    case = story.now
    actor = story.cast.reporter(case)
    rating = story.rng.choices(["satisfied", "basically", "unsatisfied"], [70, 22, 8])[0]
    comment = story.rng.choice(COMMENTS[rating])
    story.act(lambda: services.evaluate(actor, case.pk, rating=rating, comment=comment))


def _escalate(story: Story, reasons: list[str]) -> None:
    story.later(0.3, 3)
    case = story.now
    reason = story.rng.choice(reasons)
    story.act(lambda: services.escalate(story.cast.agency(case), case.pk, reason=reason))


def _return(story: Story) -> None:
    story.later(1, 10)
    case = story.now
    reason = story.rng.choice(RETURN_REASONS)
    story.act(lambda: services.return_case(story.cast.department(case), case.pk, reason=reason))


def _other_department(story: Story, case: Case) -> Department | None:
    """A department of the case's county, not the one that returned it (for a re-dispatch)."""
    choices = [
        d
        for d in story.cast.departments.get(case.county_code, [])
        if d.pk != case.lead_department_id
    ]
    preferred = [d for d in choices if d.kind.code in ("urban_management", "housing", "police")]
    return story.rng.choice(preferred or choices) if choices else None


def _supervise(story: Story, *, answered: bool) -> None:
    story.later(1, 24)
    case = story.now
    note = story.rng.choice(SUPERVISION_NOTES)
    supervision = story.act(
        lambda: services.supervise(story.cast.supervisor(case), case.pk, note=note)
    )
    if answered:
        story.later(1, 8)
        answer = story.rng.choice(ANSWERS)
        story.act(
            lambda: services.answer_supervision(
                story.cast.department(case), case.pk, supervision=supervision.pk, answer=answer
            )
        )


def _extension(story: Story, *, decision: bool | None) -> None:
    story.later(2, 20)
    case = story.now
    reason = story.rng.choice(EXTENSION_REASONS)
    amount = story.rng.choice([1, 2, 3])
    extension: Extension = story.act(
        lambda: services.request_extension(
            story.cast.department(case), case.pk, amount=amount, unit="workdays", reason=reason
        )
    )
    if decision is None:
        return
    story.later(0.5, 6)
    note = "同意延期" if decision else "理由不充分,请按原时限办结"
    story.act(
        lambda: services.decide_extension(
            story.cast.agency(case), case.pk, extension=extension.pk, approve=decision, note=note
        )
    )


def _suspend(story: Story, *, resume: bool) -> None:
    story.later(2, 16)
    case = story.now
    reason = story.rng.choice(SUSPENSION_REASONS)
    suspension = story.act(
        lambda: services.request_suspension(story.cast.department(case), case.pk, reason=reason)
    )
    story.later(0.5, 6)
    story.act(
        lambda: services.decide_suspension(
            story.cast.agency(case), case.pk, suspension=suspension.pk, approve=True, note="同意"
        )
    )
    if resume:
        story.later(24, 96)
        story.act(
            lambda: services.resume(story.cast.agency(case), case.pk, note="条件具备,恢复办理")
        )


# --- the stories ----------------------------------------------------------------------------


def _worker_case(story: Story) -> None:
    _report(story, channel=story.rng.choice(["worker", "worker", "worker", "portal"]))
    if story.now.state == State.REPORTED:
        _verify(story)


def _to_in_progress(story: Story) -> None:
    _worker_case(story)
    _accept(story)
    _dispatch(story)
    _sign(story)


def _to_handled(story: Story) -> None:
    _to_in_progress(story)
    _feedback(story)


def _to_closed(story: Story) -> None:
    _to_handled(story)
    _check(story)


STORIES: dict[str, tuple[tuple[float, float], Callable[[Story], None]]] = {}


def _story(name: str, days: tuple[float, float]) -> Callable:
    """Register a story: ``days`` is how long ago (days) it may begin."""

    def register(func: Callable[[Story], None]) -> Callable[[Story], None]:
        STORIES[name] = (days, func)
        return func

    return register


def _maybe_answered(story: Story, chance: float, **feedback: float) -> bool:
    """With ``chance``, the departments answer and the agency checks; whether they did."""
    if story.rng.random() < chance:
        _feedback(story, **feedback)
        _check(story)
        return True
    return False


def _steps(*steps: Callable[[Story], Any]) -> Callable[[Story], None]:
    """A story that is these steps, one after the other; the stories written out below choose
    their steps as they go."""

    def play(s: Story) -> None:
        for step in steps:
            step(s)

    return play


_story("reported", (0.05, 1.5))(_steps(partial(_report, channel="portal")))
_story("hotline", (0.05, 1.5))(_steps(partial(_report, channel="hotline")))


@_story("false_report", (3, DAYS))
def _s_false(s: Story) -> None:
    _report(s, channel=s.rng.choice(["portal", "hotline"]))
    _verify(s, valid=False)


_story("verified", (0.02, 0.3))(_steps(_worker_case))
_story("verified_late", (1, 6))(_steps(_worker_case))
_story("accepted", (0.1, 1))(_steps(_worker_case, _accept))


@_story("declined", (2, DAYS))
def _s_declined(s: Story) -> None:
    _worker_case(s)
    s.later(0.3, 3)
    case = s.now
    reason = s.rng.choice(DECLINE_REASONS)
    s.act(lambda: services.decline(s.cast.agency(case), case.pk, reason=reason))


_s_dispatched = _story("dispatched", (0.2, 1.5))(_steps(_worker_case, _accept, _dispatch))
_story("dispatched_late", (8, 25))(_steps(_s_dispatched))
_story("in_progress", (0.5, 4))(_steps(_to_in_progress))


@_story("in_progress_amber", (1, 6))
def _s_in_progress_amber(s: Story) -> None:
    """Dispatched at the moment that leaves about a tenth of the handling time at loading:
    amber (R24.3). Deadlines end with a working day, so the moment depends on the matter."""
    place = _place(s.cast, s.rng)
    entries = list(s.cast.entries[place.county])
    s.rng.shuffle(entries)
    for entry in entries[:12]:
        dispatch_at = _amber_dispatch(entry, s.end)
        if dispatch_at is not None:
            break
    else:
        _to_in_progress(s)
        return
    s.at = dispatch_at - dt.timedelta(hours=2)
    _report(s, channel="worker", place=place, entry=entry)
    case = s.now
    agency = s.cast.agency(case)
    s.at = dispatch_at - dt.timedelta(minutes=50)
    s.act(lambda: services.accept(agency, case.pk, note="予以立案"))
    s.at = dispatch_at
    s.act(lambda: services.dispatch(agency, case.pk, note="请按时限办理"))
    s.later(0.1, 0.5, office=False)
    s.act(lambda: services.sign(s.cast.department(s.now), case.pk))


_story("in_progress_late", (10, 35))(_steps(_to_in_progress))
_story("extension_pending", (1, 3))(_steps(_to_in_progress, partial(_extension, decision=None)))


@_story("extension_decided", (5, DAYS))
def _s_extension_decided(s: Story) -> None:
    _to_in_progress(s)
    approve = s.rng.random() < 0.7
    _extension(s, decision=approve)
    _maybe_answered(s, 0.7, low=8, high=60)


@_story("supervised", (8, 30))
def _s_supervised(s: Story) -> None:
    _to_in_progress(s)
    s.later(48, 120)
    _supervise(s, answered=s.rng.random() < 0.6)


@_story("returned", (1, 5))
def _s_returned(s: Story) -> None:
    _worker_case(s)
    _accept(s)
    _dispatch(s)
    if s.rng.random() < 0.5:
        _sign(s)
    _return(s)


@_story("dispute", (10, DAYS))
def _s_dispute(s: Story) -> None:
    """R24.4: returned; the agency either upholds the return and sends it elsewhere, or
    overrules it and sends it back with the reasons of its ruling."""
    _s_returned(s)
    case = s.now
    returned_by = (
        case.assignments.filter(state="returned")
        .select_related("department")
        .order_by("-returned_at")
        .first()
    )
    if s.rng.random() < 0.5 and (other := _other_department(s, case)) is not None:
        _dispatch(s, lead=other, ruling=f"退回理由成立,改由{other.name}牵头办理")
    elif returned_by is not None:
        department = returned_by.department
        ruling = f"经研究,该事项在准入清单中由{department.name}牵头,退回理由不成立"
        _dispatch(s, lead=department, ruling=ruling)
    _sign(s)
    _feedback(s)
    _check(s)
    if s.rng.random() < 0.7:
        _evaluate(s)


_story("handled", (1, 5))(_steps(_to_handled))


@_story("rework", (6, DAYS))
def _s_rework(s: Story) -> None:
    _to_handled(s)
    _check(s, passed=False)
    if _maybe_answered(s, 0.75) and s.rng.random() < 0.5:
        _evaluate(s)


_story("suspended", (3, 20))(_steps(_to_in_progress, partial(_suspend, resume=False)))


@_story("resumed", (10, DAYS))
def _s_resumed(s: Story) -> None:
    _to_in_progress(s)
    _suspend(s, resume=True)
    _maybe_answered(s, 0.7)


_story("escalated_waiting", (0.1, 1))(_steps(_worker_case, partial(_escalate, reasons=ESCALATIONS)))


@_story("escalated_county", (4, DAYS))
def _s_escalated_county(s: Story) -> None:
    _worker_case(s)
    _escalate(s, ESCALATIONS)
    _accept(s)
    _dispatch(s)
    _sign(s)
    _feedback(s)
    if s.rng.random() < 0.7:
        _check(s)


@_story("escalated_city", (5, DAYS))
def _s_escalated_city(s: Story) -> None:
    _worker_case(s)
    _escalate(s, ESCALATIONS)
    _escalate(s, CITY_ESCALATIONS)
    _accept(s)
    _dispatch(s)
    _sign(s)
    _maybe_answered(s, 0.6)


_story("settled", (0.5, DAYS))(_steps(partial(_report, channel="worker", settle=True)))
_story("closed", (3, DAYS))(_steps(_to_closed))
_story("evaluated", (4, DAYS))(_steps(_to_closed, _evaluate))


# --- loading --------------------------------------------------------------------------------


def _amber_dispatch(entry: Any, end: dt.datetime) -> dt.datetime | None:
    """A dispatch moment whose handling period is 90–97 % used at ``end`` (binary search on
    the working-day calendar; the share only falls as the dispatch moves later), or None
    when this matter's deadlines jump over that band."""
    amount, unit = entry.handling_limit_amount, entry.handling_limit_unit
    if not amount:
        return None

    def share(moment: dt.datetime) -> float:
        return calendar.elapsed_share(moment, calendar.deadline(moment, amount, unit), end)

    try:
        low, high = end - dt.timedelta(days=40), end - dt.timedelta(hours=3)
        if share(high) >= 0.93:
            return None
        for _ in range(30):
            middle = low + (high - low) / 2
            low, high = (middle, high) if share(middle) >= 0.93 else (low, middle)
        floor = (entry.amber_threshold_percent or 80) / 100 + 0.05
        for moment in (low, high):
            if max(floor, 0.9) <= share(moment) < 0.97:
                return moment.replace(microsecond=0)
    except calendar.CalendarNotCovered:
        return None
    return None


def _cast() -> Cast | None:
    entries = _counties_in_force()
    if not entries:
        return None
    usernames = {
        "grid_worker",
        "grid_leader",
        "resident",
        *TOWNSHIP_AGENCY.values(),
        *COUNTY_AGENCY.values(),
        *DEPARTMENT_ACCOUNT.values(),
    }
    accounts: dict[str, User | str] = {
        u.username: u for u in User.objects.filter(username__in=usernames, is_active=True)
    }
    demo_user = accounts.get("grid_worker")
    demo_grid = None
    if isinstance(demo_user, User):
        assignment = GridAssignment.objects.filter(
            worker__user=demo_user, ended_on__isnull=True
        ).first()
        demo_grid = assignment.grid_code if assignment else None
    places = _areas(list(entries), demo_grid)
    if not places:
        return None
    departments: dict[str, list[Department]] = {}
    department_accounts: dict[int, User | str] = {}
    for department in Department.objects.filter(
        region__code__in=list(entries), is_active=True
    ).select_related("kind", "region"):
        departments.setdefault(department.region.code, []).append(department)
        username = DEPARTMENT_ACCOUNT.get((department.region.code, department.kind.code))
        if username in accounts:
            department_accounts.setdefault(department.pk, accounts[username])
    names = dict(
        Region.objects.filter(code__startswith=CITY_CODE)
        .exclude(level="city")
        .values_list("code", "name")
    )
    workers = dict(
        GridAssignment.objects.filter(
            grid_code__startswith=CITY_CODE, kind="fulltime", ended_on__isnull=True
        ).values_list("grid_code", "worker__name")
    )
    return Cast(
        accounts, entries, places, demo_grid, departments, department_accounts, names, workers
    )


def load() -> str:
    cast = _cast()
    if cast is None:
        return "cases: no admission list in force or no grids: nothing to replay"
    rng = random.Random(SEED)
    end = timezone.now() - dt.timedelta(minutes=5)
    made = skipped = stopped = 0
    number = 0
    for name, count in PLAN:
        (low, high), play = STORIES[name]
        for _ in range(count):
            number += 1
            seed = rng.randrange(2**32)
            story_rng = random.Random(seed)
            begin = end - dt.timedelta(days=story_rng.uniform(low, high))
            s = Story(cast, story_rng, begin, end, client_id=f"demo-case-{number:04d}")
            try:
                play(s)
            except AlreadyThere:
                skipped += 1
                continue
            except TooLate:
                stopped += 1
            made += s.case is not None
    clock.sweep_deadlines()
    warnings = _warnings(end)
    summary = _summary(made, skipped, stopped, len(warnings))
    audit.record(ACTOR, DemoAction.CASES_LOAD, note=summary, object_type="demo.step")
    return summary


def _warnings(end: dt.datetime) -> list[Any]:
    """警示 to 蓬江区's and 鹤山市's departments late three times or more (R27.1)."""
    today = timezone.localdate(end)
    issued = []
    for county in (PENGJIANG, HESHAN):
        try:
            issued += services.issue_warnings(
                ACTOR,
                region_code=county,
                period_start=today - dt.timedelta(days=DAYS),
                period_end=today,
                threshold=3,
            )
        except DomainError:
            continue
    return issued


def _summary(made: int, skipped: int, stopped: int, warnings: int) -> str:
    states = Counter(dict(Case.objects.values_list("state").annotate(n=Count("pk"))))
    order = [s.value for s in State]
    by_state = ", ".join(f"{s} {states[s]}" for s in order if states.get(s))
    overdue = Case.objects.filter(deadline_status=DeadlineStatus.RED).count()
    amber = Case.objects.filter(deadline_status=DeadlineStatus.AMBER).count()
    escalated = Case.objects.exclude(level=Level.TOWNSHIP).count()
    spot = Case.objects.filter(settled_on_spot=True).count()
    urgent = Case.objects.filter(urgency="urgent").count()
    text = (
        f"{made} cases replayed over {DAYS} days ({by_state}); {spot} settled on the spot, "
        f"{urgent} urgent, {escalated} escalated, {amber} amber, {overdue} overdue; "
        f"{warnings} warnings"
    )
    if skipped:
        text += f"; {skipped} already there"
    return text


def info() -> list[str]:
    return [
        "",
        "  cases (R24–R27): /console/ (agency console: baisha_dispatcher, pengjiang_admin),",
        "    /dept/ (department workbench: pj_police, pj_urban), /m/ (grid worker: grid_worker),",
        "    /api/v1/cases/ (REST); manage.py verify_archive checks every case's hash chain",
    ]
