"""The demo center (清河区政务服务中心), modelled on the reference center, and its loader."""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import models, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accounts.models import User
from accounts.roles import DEPARTMENT_ROLES, Role
from accounts.services import roles_ensure
from catalog.models import (
    AutoRule,
    Bundle,
    BundleItem,
    Center,
    Counter,
    Department,
    Fee,
    ItemField,
    LifeEvent,
    MaterialSpec,
    ProcessStep,
    Question,
    QueueCategory,
    ServiceItem,
    StaffProfile,
    StageSpec,
)
from catalog.revision import catalog_revision_bump
from catalog.services import item_refresh_derived
from govhall.identifiers import uscc_with_check

DEMO_PASSWORD = "govhall-demo-2026"
DEMO_CENTER_SLUG = "demo"
CHANGE_REASON = "demo data"

CENTER: dict[str, str] = {
    "name": "清河区政务服务中心",
    "slug": DEMO_CENTER_SLUG,
    "area_code": "511602000000",
    "address": "清河区滨河路二段168号政务服务中心",
    "phone": "0826-12345",
    "complaint_phone": "0826-2861110",
    "hours": "工作日 上午9:00-12:00 下午13:30-17:30（周六上午延时服务）",
}

P = ServiceItem.Subject.PERSON
L = ServiceItem.Subject.LEGAL
B = ServiceItem.Subject.BOTH

# ---------------------------------------------------------------------------------------------
# Life events (global): slug, name, for whom.
LIFE_EVENTS: tuple[tuple[str, str, str], ...] = (
    ("birth", "出生", LifeEvent.Subject.PERSON),
    ("school", "入学", LifeEvent.Subject.PERSON),
    ("employment", "就业", LifeEvent.Subject.PERSON),
    ("marriage", "结婚", LifeEvent.Subject.PERSON),
    ("home-purchase", "购房", LifeEvent.Subject.PERSON),
    ("retirement", "退休", LifeEvent.Subject.PERSON),
    ("after-death", "身后事", LifeEvent.Subject.PERSON),
    ("business-start", "开办企业", LifeEvent.Subject.LEGAL),
    ("business-change", "企业变更", LifeEvent.Subject.LEGAL),
    ("construction", "工程建设", LifeEvent.Subject.LEGAL),
    ("business-closure", "企业注销", LifeEvent.Subject.LEGAL),
)

# ---------------------------------------------------------------------------------------------
# Queue categories: letter, name, short name of the department that owns it (None: shared).
QUEUE_CATEGORIES: tuple[tuple[str, str, str | None], ...] = (
    ("A", "综合受理", None),
    ("B", "商事登记", "市场监管局"),
    ("C", "社保医保", None),
    ("D", "不动产登记", "不动产登记中心"),
    ("E", "税务服务", "税务局"),
    ("F", "公安服务", "公安分局"),
    ("G", "公积金", "公积金中心"),
    ("H", "工程建设", None),
    ("J", "社会事务", None),
    ("K", "涉农商务", None),
)
GENERAL_COUNTERS = 16
GENERAL_COUNTER_CATEGORIES = ("A", "H", "J", "K")
GENERAL_COUNTER_LOCATION = "一楼A区"

# ---------------------------------------------------------------------------------------------
# Materials: key -> (name, form, copies, required, certificate type). "form" is the item's own
# application form and is named after the item.
ORIG = MaterialSpec.Form.ORIGINAL
COPY = MaterialSpec.Form.COPY
BOTH = MaterialSpec.Form.ORIGINAL_AND_COPY
ELEC = MaterialSpec.Form.ELECTRONIC

MATERIALS: dict[str, tuple[str, str, int, bool, str]] = {
    "form": ("《{item}申请表》", ORIG, 1, True, ""),
    "id": ("申请人居民身份证", BOTH, 1, True, "ID_CARD"),
    "rep_id": ("法定代表人（负责人）身份证件", COPY, 1, True, "ID_CARD"),
    "licence": ("营业执照", COPY, 1, True, "BUSINESS_LICENCE"),
    "proxy": ("授权委托书及受托人身份证件（委托办理时提供）", ORIG, 1, False, ""),
    "hukou": ("居民户口簿", BOTH, 1, True, "HOUSEHOLD_REGISTER"),
    "marriage": ("结婚证", BOTH, 1, True, "MARRIAGE_CERT"),
    "property": ("不动产权属证书", ORIG, 1, True, "PROPERTY_CERT"),
    "premises": ("住所（经营场所）使用证明", COPY, 1, True, ""),
    "articles": ("公司章程", ORIG, 1, True, ""),
    "name_notice": ("企业名称自主申报告知书", ELEC, 1, True, ""),
    "photo": ("近期二寸白底免冠彩色照片", ORIG, 2, True, ""),
    "bank": ("本人社会保障卡或银行账户信息", COPY, 1, True, "SOCIAL_SECURITY_CARD"),
    "invoice": ("医疗费用票据及费用明细清单", ORIG, 1, True, ""),
    "discharge": ("出院记录或门诊病历", COPY, 1, True, ""),
    "diagnosis": ("二级以上医疗机构出具的诊断证明", ORIG, 1, True, ""),
    "death": ("居民死亡医学证明（推断）书", BOTH, 1, True, "DEATH_CERT"),
    "birth": ("出生医学证明", BOTH, 1, True, "BIRTH_CERT"),
    "sale_contract": ("不动产买卖合同", ORIG, 1, True, ""),
    "tax_proof": ("完税或减免税凭证", COPY, 1, True, ""),
    "survey": ("不动产权籍调查成果", ORIG, 1, True, ""),
    "mortgage": ("抵押合同及主债权合同", ORIG, 1, True, ""),
    "land_source": ("土地权属来源证明", COPY, 1, True, ""),
    "completion": ("建设工程竣工验收备案材料", COPY, 1, True, ""),
    "food_layout": ("经营场所平面布局图及设备布局、工艺流程图", ORIG, 1, True, ""),
    "food_rules": ("食品安全管理制度目录", ORIG, 1, True, ""),
    "food_staff": ("食品安全管理人员及从业人员健康证明", COPY, 1, True, ""),
    "change_proof": ("变更事项相关证明材料", COPY, 1, True, ""),
    "labour_contract": ("劳动合同或事实劳动关系证明", COPY, 1, True, ""),
    "injury": ("工伤事故调查报告及医疗诊断证明", COPY, 1, True, ""),
    "contributions": ("本人档案或参保缴费记录", COPY, 1, True, ""),
    "dismissal": ("解除或终止劳动关系证明", ORIG, 1, True, ""),
    "plan": ("建设项目规划设计方案", ORIG, 1, True, ""),
    "land_approval": ("用地批准文件", COPY, 1, True, ""),
    "drawings": ("施工图设计文件审查合格书", COPY, 1, True, ""),
    "construction_contract": ("施工合同及中标通知书", COPY, 1, True, ""),
    "fire_design": ("消防设计文件及技术资料", ELEC, 1, True, ""),
    "eia_report": ("建设项目环境影响报告表", ORIG, 2, True, ""),
    "safety_rules": ("安全生产管理制度和岗位操作规程", ORIG, 1, True, ""),
    "safety_staff": ("主要负责人及安全管理人员安全培训合格证明", COPY, 1, True, ""),
    "vehicle": ("机动车行驶证", BOTH, 1, True, "VEHICLE_LICENCE"),
    "driving": ("机动车驾驶证", BOTH, 1, True, "DRIVING_LICENCE"),
    "vehicle_origin": ("机动车来历证明及整车出厂合格证明", ORIG, 1, True, ""),
    "insurance": ("机动车交通事故责任强制保险凭证", ELEC, 1, True, ""),
    "checkup": ("县级以上医疗机构出具的体检证明", ORIG, 1, True, ""),
    "diploma": ("资格证书及学历证书", BOTH, 1, True, ""),
    "income": ("家庭收入及财产状况声明", ORIG, 1, True, ""),
    "disability": ("中华人民共和国残疾人证", BOTH, 1, True, "DISABILITY_CERT"),
    "veteran": ("退出现役证（退伍证）", BOTH, 1, True, "VETERAN_CERT"),
    "residence": ("合法稳定住所或就业、就读证明", COPY, 1, True, ""),
    "school": ("适龄儿童户籍及实际居住证明", COPY, 1, True, ""),
    "teacher": ("普通话水平测试等级证书及教师资格考试合格证明", COPY, 1, True, ""),
    "venue": ("演出场所合法使用证明及安全工作方案", COPY, 1, True, ""),
    "fund_account": ("住房公积金个人账户信息", ELEC, 1, True, ""),
    "purchase": ("购房合同及购房发票", COPY, 1, True, ""),
    "rent": ("无房证明及房屋租赁合同", COPY, 1, True, ""),
    "retired": ("退休证明或养老保险待遇领取证明", COPY, 1, True, ""),
    "loan": ("借款合同及借款人收入证明", ORIG, 1, True, ""),
    "transport": ("拟投入运营车辆承诺书及驾驶员从业资格证", COPY, 1, True, ""),
    "road_plan": ("施工方案及交通组织方案", ORIG, 1, True, ""),
    "pesticide": ("经营场所及仓储设施证明、专业技术人员资格证明", COPY, 1, True, ""),
    "animal": ("场所周边环境、布局平面图及动物防疫制度", ORIG, 1, True, ""),
    "seed": ("种子检验人员及仓储设施证明", COPY, 1, True, ""),
    "chemical": ("危险化学品经营场所及储存设施证明", COPY, 1, True, ""),
    "emergency_plan": ("生产安全事故应急预案及评审意见", ORIG, 1, True, ""),
    "billboard": ("户外广告设计效果图及结构安全检测报告", ORIG, 1, True, ""),
    "waste": ("建筑垃圾运输车辆及消纳场所证明", COPY, 1, True, ""),
    "tree": ("树木现状照片及砍伐、迁移理由说明", ORIG, 1, True, ""),
    "move_in": ("准予迁入证明或户口迁移证件", ORIG, 1, True, ""),
    "tax_reg": ("税务事项通知书或其他涉税资料", COPY, 1, False, ""),
    "invoice_book": ("发票领用簿及经办人身份证件", COPY, 1, True, ""),
    "society": ("章程草案、验资报告及住所使用权证明", ORIG, 1, True, ""),
    "doctor": ("医师资格证书及拟执业机构聘用证明", BOTH, 1, True, ""),
    "nurse": ("护士执业资格考试成绩合格证明", BOTH, 1, True, ""),
    "clinic": ("医疗机构执业人员资格证明及设备清单", COPY, 1, True, ""),
    "hygiene": ("卫生管理制度及从业人员健康合格证明", COPY, 1, True, ""),
    "radiation": ("放射诊疗设备清单及放射防护评价报告", ORIG, 1, True, ""),
    "entertainment": ("场所消防安全证明及平面示意图", COPY, 1, True, ""),
    "deposit": ("旅游服务质量保证金存款证明", COPY, 1, True, ""),
    "prepaid": ("预收资金存管协议", COPY, 1, True, ""),
    "recycling": ("经营场所证明及回收品种说明", COPY, 1, True, ""),
    "family": ("家庭成员关系证明", COPY, 1, True, ""),
    "arbitration": ("仲裁申请书及证据材料", ORIG, 3, True, ""),
    "equipment": ("特种设备产品合格证及监督检验证明", COPY, 1, True, ""),
    "pledge": ("出质人、质权人签署的质押合同", ORIG, 1, True, ""),
    "event_plan": ("活动安全工作方案及场地安全评估报告", ORIG, 1, True, ""),
    "waiting": ("离婚协议书（一式三份）", ORIG, 3, True, ""),
    "student": ("学生证及家庭经济困难情况说明", COPY, 1, True, ""),
    "homestead": ("宅基地使用权及农房建设申请书、村民会议决议", ORIG, 1, True, ""),
}

# ---------------------------------------------------------------------------------------------
# Legal bases: key -> text. Licensing items also cite the Administrative Licensing Law.
LICENSING_LAW = "《中华人民共和国行政许可法》第二十九条至第四十四条"
BASES: dict[str, str] = {
    "market": "《中华人民共和国市场主体登记管理条例》（国务院令第746号）第三条、第十九条；"
    "《中华人民共和国市场主体登记管理条例实施细则》（国家市场监督管理总局令第52号）",
    "food": "《中华人民共和国食品安全法》第三十五条；"
    "《食品经营许可和备案管理办法》（国家市场监督管理总局令第78号）",
    "food_production": "《中华人民共和国食品安全法》第三十五条；"
    "《食品生产许可管理办法》（国家市场监督管理总局令第24号）",
    "food_inspection": "《中华人民共和国食品安全法》第一百一十条；"
    "《食品生产经营监督检查管理办法》（国家市场监督管理总局令第49号）",
    "drug": "《中华人民共和国药品管理法》第五十一条；《药品经营和使用质量监督管理办法》",
    "device": "《医疗器械监督管理条例》（国务院令第739号）第四十一条",
    "special_equipment": "《中华人民共和国特种设备安全法》第三十三条；《特种设备使用管理规则》",
    "pledge": "《中华人民共和国民法典》第四百四十三条；《股权出质登记办法》",
    "consumer": "《中华人民共和国消费者权益保护法》第三十九条；"
    "《市场监督管理投诉举报处理暂行办法》",
    "whistle": "《市场监管领域重大违法行为举报奖励暂行办法》（国市监稽规〔2021〕4号）",
    "social_insurance": "《中华人民共和国社会保险法》第五十七条、第五十八条；"
    "《社会保险经办条例》（国务院令第765号）",
    "pension": "《中华人民共和国社会保险法》第十六条；"
    "《国务院关于建立统一的城乡居民基本养老保险制度的意见》（国发〔2014〕8号）",
    "unemployment": "《中华人民共和国社会保险法》第四十五条；《失业保险条例》（国务院令第258号）",
    "injury": "《工伤保险条例》（国务院令第586号修订）第十七条、第二十条、第二十三条",
    "employment": "《中华人民共和国就业促进法》；"
    "《就业服务与就业管理规定》（人力资源社会保障部令第23号修订）",
    "arbitration": "《中华人民共和国劳动争议调解仲裁法》第二十九条",
    "medical_insurance": "《中华人民共和国社会保险法》第二十八条、第二十九条；"
    "《医疗保障基金使用监督管理条例》（国务院令第735号）",
    "medical_aid": "《社会救助暂行办法》（国务院令第649号）第二十八条",
    "resident_id": "《中华人民共和国居民身份证法》第八条、第十一条",
    "hukou": "《中华人民共和国户口登记条例》第七条、第八条、第十条",
    "exit_entry": "《中华人民共和国出境入境管理法》第九条、第十一条；"
    "《中华人民共和国护照法》第五条",
    "traffic": "《中华人民共和国道路交通安全法》第八条、第十三条、第十九条；"
    "《机动车登记规定》（公安部令第164号）",
    "residence": "《居住证暂行条例》（国务院令第663号）第九条",
    "crowd": "《大型群众性活动安全管理条例》第十一条",
    "hotel": "《旅馆业治安管理办法》第四条",
    "criminal_record": "《公安机关办理无犯罪记录证明工作规定》（公通字〔2021〕13号）",
    "real_estate": "《中华人民共和国民法典》第二百零九条、第二百一十条；"
    "《不动产登记暂行条例》（国务院令第656号）第三条、第二十条；"
    "《不动产登记暂行条例实施细则》（自然资源部令第5号）",
    "tax": "《中华人民共和国税收征收管理法》第十五条、第二十一条；《中华人民共和国发票管理办法》",
    "vehicle_tax": "《中华人民共和国车辆购置税法》第十二条",
    "deed_tax": "《中华人民共和国契税法》第九条、第十条",
    "income_tax": "《中华人民共和国个人所得税法》第十一条",
    "contribution": "《中华人民共和国社会保险法》第五十九条；"
    "《国家税务总局关于实施进一步支持和服务长江经济带发展举措的通知》",
    "clinic": "《医疗机构管理条例》（国务院令第752号修订）第十五条",
    "doctor": "《中华人民共和国医师法》第十三条；《医师执业注册管理办法》",
    "nurse": "《护士条例》第七条、第八条",
    "public_hygiene": "《公共场所卫生管理条例》第八条",
    "radiation": "《放射诊疗管理规定》（卫生部令第46号）第十一条",
    "family_planning": "《中华人民共和国人口与计划生育法》第二十七条",
    "marriage": "《中华人民共和国民法典》第一千零四十九条、第一千零七十六条；"
    "《婚姻登记条例》（国务院令第387号）",
    "counselling": "《中华人民共和国民法典》第一千零七十七条；"
    "《民政部关于加强婚姻家庭辅导服务工作的指导意见》",
    "assistance": "《社会救助暂行办法》（国务院令第649号）；"
    "《最低生活保障审核确认办法》（民发〔2021〕57号）",
    "society": "《社会团体登记管理条例》（国务院令第250号）第九条；"
    "《民办非企业单位登记管理暂行条例》第八条",
    "elderly": "《中华人民共和国老年人权益保障法》第三十三条",
    "disability": "《国务院关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见》"
    "（国发〔2015〕52号）",
    "funeral": "《殡葬管理条例》（国务院令第225号）",
    "eldercare": "《中华人民共和国老年人权益保障法》第四十三条；"
    "《养老机构管理办法》（民政部令第66号）",
    "construction_permit": "《中华人民共和国建筑法》第七条、第八条；"
    "《建筑工程施工许可管理办法》（住房和城乡建设部令第18号修订）",
    "presale": "《中华人民共和国城市房地产管理法》第四十五条；《城市商品房预售管理办法》第六条",
    "fire": "《中华人民共和国消防法》第十一条、第十三条；"
    "《建设工程消防设计审查验收管理暂行规定》（住房和城乡建设部令第58号修订）",
    "acceptance": "《建设工程质量管理条例》（国务院令第279号）第四十九条",
    "drainage": "《城镇排水与污水处理条例》（国务院令第641号）第二十一条",
    "housing": "《公共租赁住房管理办法》（住房和城乡建设部令第11号）；"
    "《国务院办公厅关于加快发展保障性租赁住房的意见》（国办发〔2021〕22号）",
    "contract_filing": "《中华人民共和国城市房地产管理法》第四十五条；《商品房销售管理办法》",
    "planning": "《中华人民共和国城乡规划法》第三十六条、第三十七条、第四十条、第四十一条；"
    "《中华人民共和国土地管理法》第五十二条",
    "temporary_land": "《中华人民共和国土地管理法》第五十七条",
    "road_transport": "《中华人民共和国道路运输条例》第二十二条、第二十四条；"
    "《道路货物运输及站场管理规定》",
    "taxi": "《网络预约出租汽车经营服务管理暂行办法》第十三条；《出租汽车驾驶员从业资格管理规定》",
    "road": "《中华人民共和国公路法》第四十四条、第四十五条；《公路安全保护条例》第二十七条",
    "oversize": "《公路安全保护条例》第三十五条；《超限运输车辆行驶公路管理规定》",
    "private_school": "《中华人民共和国民办教育促进法》第十二条、第十七条",
    "teacher": "《中华人民共和国教师法》第十三条；《教师资格条例》（国务院令第188号）第十三条",
    "compulsory": "《中华人民共和国义务教育法》第十二条",
    "student_aid": "《学生资助资金管理办法》（财教〔2021〕310号）",
    "performance": "《营业性演出管理条例》第十三条",
    "entertainment": "《娱乐场所管理条例》第九条",
    "internet_cafe": "《互联网上网服务营业场所管理条例》第十条",
    "travel_agency": "《旅行社条例》第六条、第七条",
    "library": "《中华人民共和国公共图书馆法》第三十三条",
    "veteran": "《中华人民共和国退役军人保障法》第四十一条、第六十二条；"
    "《退役军人、其他优抚对象优待证管理办法（试行）》",
    "veteran_pension": "《军人抚恤优待条例》（国务院令第788号修订）",
    "eia": "《中华人民共和国环境影响评价法》第二十二条",
    "pollution_permit": "《排污许可管理条例》（国务院令第736号）第十四条",
    "eia_filing": "《建设项目环境影响登记表备案管理办法》（环境保护部令第41号）",
    "environment_report": "《中华人民共和国环境保护法》第五十七条",
    "pesticide": "《农药管理条例》（国务院令第752号修订）第二十四条",
    "animal": "《中华人民共和国动物防疫法》第二十五条",
    "seed": "《中华人民共和国种子法》第三十一条",
    "homestead": "《中华人民共和国土地管理法》第六十二条；《中华人民共和国城乡规划法》第四十一条",
    "farm_subsidy": "《中华人民共和国农业机械化促进法》第二十七条",
    "prepaid": "《单用途商业预付卡管理办法（试行）》（商务部令2012年第9号）第七条",
    "recycling": "《再生资源回收管理办法》（商务部令2019年第1号修订）第七条",
    "used_car": "《二手车流通管理办法》第十条",
    "hazchem": "《危险化学品安全管理条例》第三十三条；"
    "《危险化学品经营许可证管理办法》（国家安全生产监督管理总局令第55号）",
    "fireworks": "《烟花爆竹安全管理条例》第十九条",
    "emergency": "《生产安全事故应急预案管理办法》（应急管理部令第2号）第二十六条",
    "billboard": "《城市市容和环境卫生管理条例》第十一条",
    "construction_waste": "《城市建筑垃圾管理规定》（建设部令第139号）第七条",
    "urban_road": "《城市道路管理条例》第二十九条、第三十条",
    "trees": "《城市绿化条例》第二十条",
    "housing_fund": "《住房公积金管理条例》（国务院令第350号修订）第十四条、第二十四条、第二十六条",
}

# ---------------------------------------------------------------------------------------------
# Fees: key -> (name, amount in yuan, basis).
_REAL_ESTATE_FEE_BASIS = (
    "《国家发展改革委 财政部关于不动产登记收费标准等有关问题的通知》（发改价格规〔2016〕2559号）"
)
_EXIT_ENTRY_FEE_BASIS = (
    "《国家发展改革委 财政部关于降低电信网码号资源占用费等部分行政事业性收费标准的通知》"
    "（发改价格〔2019〕914号）"
)
_ID_FEE_BASIS = (
    "《国家发展改革委 财政部关于居民身份证收费标准及有关问题的通知》（发改价格〔2003〕2322号）"
)
FEES: dict[str, tuple[str, str, str]] = {
    "home": ("住宅类不动产登记费", "80.00", _REAL_ESTATE_FEE_BASIS + "：住宅类不动产登记每件80元"),
    "non_home": (
        "非住宅类不动产登记费",
        "550.00",
        _REAL_ESTATE_FEE_BASIS + "：非住宅类不动产登记每件550元",
    ),
    "certificate": (
        "不动产权属证书工本费",
        "10.00",
        _REAL_ESTATE_FEE_BASIS + "：每增加一本证书加收证书工本费10元",
    ),
    "id_card": ("居民身份证工本费", "20.00", _ID_FEE_BASIS + "：换领、补领居民身份证每证20元"),
    "temp_id": ("临时居民身份证工本费", "10.00", _ID_FEE_BASIS + "：临时居民身份证每证10元"),
    "passport": ("普通护照工本费", "120.00", _EXIT_ENTRY_FEE_BASIS + "：普通护照每本120元"),
    "hk_macao": (
        "往来港澳通行证工本费",
        "60.00",
        _EXIT_ENTRY_FEE_BASIS + "：往来港澳通行证每证60元",
    ),
}


# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ItemSpec:
    """One item of the demo catalog; None promised days means floor(statutory × 0.6)."""

    name: str
    item_type: str
    statutory: int
    promised: int | None = None
    subject: str = B
    materials: tuple[str, ...] = ()
    events: tuple[str, ...] = ()
    basis: str = ""
    fees: tuple[str, ...] = ()
    online: int = 0
    conditions: str = ""
    variants: tuple[str, ...] = ()
    subs: tuple[ItemSpec, ...] = ()


@dataclass(frozen=True)
class DepartmentSpec:
    short_name: str
    name: str
    org_code: str  # the 8-character organisation code body (GB 11714) of the USCC
    institution: bool  # 事业单位 (USCC 12...) rather than an organ of government (11...)
    category: str
    counters: int
    location: str
    basis: str
    online: int
    items: tuple[ItemSpec, ...] = field(default=())


I = ItemSpec  # noqa: E741 - the table below reads better with a one-letter constructor

# fmt: off
DEPARTMENTS: tuple[DepartmentSpec, ...] = (
    DepartmentSpec(
        "市场监管局", "清河区市场监督管理局", "00869512", False, "B", 12, "一楼B区", "market", 3,
        (
            I("营业执照核发", "01", 3, 1, L, ("rep_id", "name_notice", "articles", "premises"),
              ("business-start",), conditions="申请人应当具有与经营范围相适应的住所（经营场所），"
              "企业名称经自主申报，申请材料齐全、符合法定形式。",
              online=4, variants=("new", "change", "cancellation")),
            I("个体工商户设立登记", "07", 3, 0, P, ("id", "premises", "photo"), ("employment",),
              online=4),
            I("个体工商户变更登记", "07", 3, 0, P, ("id", "licence", "change_proof"), online=4),
            I("食品经营许可", "01", 10, 5, L,
              ("licence", "rep_id", "food_layout", "food_rules", "food_staff"),
              ("business-start",), "food", conditions="具有与经营的食品品种、数量相适应的经营场所"
              "和设备设施，有专职或兼职的食品安全管理人员和保证食品安全的规章制度。",
              variants=("new", "change", "renewal", "cancellation")),
            I("食品生产许可", "01", 10, 6, L,
              ("licence", "food_layout", "food_rules", "food_staff"), ("business-start",),
              "food_production"),
            I("小餐饮经营许可证核发", "01", 10, 3, P, ("id", "food_layout", "food_staff"),
              ("business-start",), "food"),
            I("药品零售企业经营许可", "01", 30, 15, L, ("licence", "rep_id", "diploma"), (),
              "drug"),
            I("第二类医疗器械经营备案", "10", 5, 0, L, ("licence", "premises"), (), "device"),
            I("特种设备使用登记", "07", 15, 5, L, ("licence", "equipment"), (),
              "special_equipment"),
            I("股权出质设立登记", "07", 3, 0, L, ("licence", "pledge"), (), "pledge"),
            I("企业名称自主申报", "20", 1, 0, L, ("rep_id",), ("business-start",), online=4),
            I("消费投诉受理", "20", 7, 3, P, ("id",), (), "consumer", online=4),
            I("食品生产经营者监督检查结果查询", "06", 5, 1, B, ("licence",), (), "food_inspection"),
            I("重大违法行为举报奖励", "08", 30, 15, P, ("id", "bank"), (), "whistle"),
        ),
    ),
    DepartmentSpec(
        "人社局", "清河区人力资源和社会保障局", "00869547", False, "C", 8, "二楼F区",
        "social_insurance", 3,
        (
            I("社会保险参保登记", "07", 5, 0, B, ("id", "labour_contract"), ("employment",),
              online=4, subs=(
                  I("单位社会保险参保登记", "07", 5, 0, L, ("licence", "rep_id"),
                    ("business-start",), online=4, variants=("new", "change", "cancellation")),
                  I("灵活就业人员参保登记", "07", 5, 0, P, ("id", "hukou"), ("employment",),
                    online=4),
              )),
            I("城乡居民基本养老保险参保登记", "07", 5, 0, P, ("id", "hukou"), (), "pension"),
            I("基本养老保险关系转移接续", "20", 45, 15, P, ("id", "contributions"),
              ("employment",)),
            I("职工基本养老保险待遇申领", "05", 20, 10, P, ("id", "contributions", "bank"),
              ("retirement",), conditions="达到法定退休年龄且累计缴费满十五年的参保人员。"),
            I("失业保险金申领", "05", 10, 3, P, ("id", "dismissal", "bank"), ("employment",),
              "unemployment", online=4),
            I("工伤认定申请", "07", 60, 30, B, ("id", "labour_contract", "injury"), (), "injury"),
            I("就业创业证申领", "20", 1, 0, P, ("id", "photo"), ("employment",), "employment",
              online=4),
            I("劳动人事争议仲裁申请", "09", 5, 3, B, ("id", "arbitration"), (), "arbitration",
              online=2),
            I("社会保障卡申领", "20", 1, 0, P, ("id", "photo"), ("birth", "employment")),
            I("丧葬补助金、抚恤金申领", "05", 10, 5, P, ("id", "death", "family", "bank"),
              ("after-death",)),
        ),
    ),
    DepartmentSpec(
        "医保局", "清河区医疗保障局", "MA6B2K03", False, "C", 6, "二楼F区", "medical_insurance",
        3,
        (
            I("城乡居民基本医疗保险参保登记", "07", 5, 0, P, ("id", "hukou"), ("birth", "school"),
              online=4),
            I("基本医疗保险关系转移接续", "20", 15, 5, P, ("id", "contributions"),
              ("employment",), online=4),
            I("异地就医备案", "20", 1, 0, P, ("id",), (), online=4),
            I("医疗费用零星报销（医保报销）", "05", 30, 15, P,
              ("id", "invoice", "discharge", "bank")),
            I("门诊慢特病待遇认定", "07", 20, 10, P, ("id", "diagnosis", "discharge")),
            I("生育医疗费用待遇核准支付", "05", 20, 10, P, ("id", "birth", "invoice", "bank"),
              ("birth",)),
            I("医疗救助申请", "05", 20, 10, P, ("id", "invoice", "income"), (), "medical_aid"),
            I("参保人员个人账户一次性支取", "05", 10, 5, P, ("id", "death", "family", "bank"),
              ("after-death",)),
        ),
    ),
    DepartmentSpec(
        "公安分局", "清河区公安分局", "00869563", False, "F", 12, "一楼D区", "hukou", 2,
        (
            I("居民身份证核发", "07", 60, 20, P, ("hukou", "photo"), (), "resident_id",
              conditions="具有本区常住户口的中国公民；已满十六周岁的公民应当申请领取居民身份证。",
              variants=("new", "renewal")),
            I("居民身份证补领", "07", 60, 20, P, ("hukou",), (), "resident_id", ("id_card",)),
            I("临时居民身份证核发", "07", 3, 0, P, ("hukou", "photo"), (), "resident_id",
              ("temp_id",)),
            I("出生登记", "07", 5, 0, P, ("birth", "hukou", "marriage"), ("birth",), online=3),
            I("户口迁移登记", "07", 10, 3, P, ("hukou", "move_in", "property"),
              ("home-purchase", "employment")),
            I("死亡人员户口注销", "07", 3, 0, P, ("death", "hukou"), ("after-death",)),
            I("普通护照签发", "01", 15, 7, P, ("id", "photo"), (), "exit_entry", ("passport",)),
            I("往来港澳通行证及签注签发", "01", 15, 7, P, ("id", "photo"), (), "exit_entry",
              ("hk_macao",)),
            I("机动车注册登记", "07", 2, 0, B, ("id", "vehicle_origin", "insurance"),
              ("home-purchase",), "traffic"),
            I("机动车驾驶证换证", "07", 1, 0, P, ("driving", "checkup", "photo"), (), "traffic",
              online=4),
            I("无犯罪记录证明开具", "20", 3, 1, P, ("id",), ("employment",), "criminal_record",
              online=4),
            I("居住证签发", "07", 15, 5, P, ("id", "residence", "photo"), ("employment",),
              "residence"),
            I("大型群众性活动安全许可", "01", 7, 4, L, ("licence", "event_plan"), (), "crowd"),
            I("旅馆业特种行业许可证核发", "01", 20, 10, L, ("licence", "rep_id", "premises"),
              ("business-start",), "hotel"),
        ),
    ),
    DepartmentSpec(
        "不动产登记中心", "清河区不动产登记中心", "45095122", True, "D", 10, "二楼E区",
        "real_estate", 2,
        (
            I("不动产登记", "07", 30, 5, B, ("id", "property"), ("home-purchase",),
              conditions="申请人为不动产权利人或利害关系人；不动产界址清楚、面积准确，"
              "申请登记事项与不动产登记簿记载不冲突。",
              subs=(
                  I("国有建设用地使用权及房屋所有权首次登记", "07", 30, 5, L,
                    ("licence", "land_source", "survey", "completion"), ("construction",),
                    fees=("non_home",)),
                  I("国有建设用地使用权及房屋所有权转移登记", "07", 30, 3, B,
                    ("id", "property", "sale_contract", "tax_proof"), ("home-purchase",),
                    fees=("home", "certificate")),
                  I("不动产抵押权登记", "07", 30, 3, B, ("id", "property", "mortgage"),
                    ("home-purchase",), fees=("home",), variants=("new", "cancellation")),
                  I("不动产预告登记", "07", 30, 3, P, ("id", "sale_contract"),
                    ("home-purchase",), fees=("home",)),
                  I("不动产变更登记", "07", 30, 5, B, ("id", "property", "change_proof")),
              )),
            I("不动产登记资料查询", "20", 1, 0, B, ("id",), ("home-purchase",), online=4),
            I("不动产权证书补（换）发", "07", 30, 5, B, ("id", "property"), (),
              fees=("certificate",)),
            I("继承、受遗赠不动产转移登记", "07", 30, 10, P,
              ("id", "property", "death", "family"), ("after-death",), fees=("home",)),
            I("宅基地使用权及房屋所有权登记", "07", 30, 10, P,
              ("id", "hukou", "land_source", "survey")),
        ),
    ),
    DepartmentSpec(
        "税务局", "国家税务总局清河区税务局", "00869588", False, "E", 12, "一楼C区", "tax", 4,
        (
            I("新办纳税人套餐式服务", "20", 1, 0, L, ("licence", "rep_id"), ("business-start",)),
            I("增值税专用发票最高开票限额审批", "01", 10, 5, L, ("licence", "invoice_book")),
            I("发票领用", "07", 1, 0, L, ("licence", "invoice_book"), ("business-start",)),
            I("一般纳税人登记", "07", 1, 0, L, ("licence",), ("business-change",)),
            I("个人所得税综合所得年度汇算", "20", 1, 0, P, ("id", "bank"), (), "income_tax"),
            I("税收完税证明开具", "20", 1, 0, B, ("id",), ()),
            I("清税申报", "20", 1, 0, L, ("licence", "tax_reg"), ("business-closure",)),
            I("车辆购置税申报", "04", 1, 0, B, ("id", "vehicle_origin"), (), "vehicle_tax"),
            I("契税申报", "04", 1, 0, B, ("id", "sale_contract"), ("home-purchase",), "deed_tax"),
            I("城乡居民基本养老保险费征收", "04", 1, 0, P, ("id", "hukou"), (), "contribution"),
        ),
    ),
    DepartmentSpec(
        "卫健局", "清河区卫生健康局", "00869619", False, "J", 3, "三楼H区", "clinic", 3,
        (
            I("医疗机构执业登记", "01", 45, 20, L, ("licence", "clinic", "premises")),
            I("医师执业注册", "01", 20, 10, P, ("id", "doctor", "checkup", "photo"), (),
              "doctor"),
            I("护士执业注册", "01", 20, 10, P, ("id", "nurse", "checkup", "photo"), (), "nurse"),
            I("公共场所卫生许可", "01", 20, 5, L, ("licence", "hygiene"), ("business-start",),
              "public_hygiene"),
            I("放射诊疗许可", "01", 20, 12, L, ("licence", "radiation"), (), "radiation"),
            I("生育登记服务", "20", 1, 0, P, ("id", "marriage"), ("birth", "marriage"),
              "family_planning", online=4),
            I("计划生育家庭特别扶助金申领", "05", 30, 15, P, ("id", "hukou", "family"), (),
              "family_planning"),
        ),
    ),
    DepartmentSpec(
        "民政局", "清河区民政局", "00869627", False, "J", 4, "三楼H区", "assistance", 2,
        (
            I("内地居民结婚登记", "07", 1, 0, P, ("id", "hukou", "photo"), ("marriage",),
              "marriage", conditions="男女双方自愿结婚，达到法定婚龄，双方均无配偶，"
              "且没有禁止结婚的情形；双方应当亲自到婚姻登记机关申请。"),
            I("内地居民离婚登记", "07", 30, 30, P, ("id", "hukou", "marriage", "waiting"), (),
              "marriage"),
            I("补领婚姻登记证", "07", 1, 0, P, ("id", "hukou", "photo"), ("marriage",),
              "marriage"),
            I("婚姻家庭辅导预约", "20", 5, 3, P, ("id",), ("marriage",), "counselling",
              online=4),
            I("最低生活保障审核确认", "05", 30, 15, P, ("id", "hukou", "income", "bank")),
            I("高龄津贴发放", "05", 20, 10, P, ("id", "hukou", "bank"), ("retirement",),
              "elderly"),
            I("困难残疾人生活补贴和重度残疾人护理补贴", "05", 20, 10, P,
              ("id", "disability", "bank"), (), "disability"),
            I("社会团体成立登记", "01", 60, 30, L, ("rep_id", "society"), (), "society"),
            I("惠民殡葬补贴申领", "05", 10, 5, P, ("id", "death", "family", "bank"),
              ("after-death",), "funeral"),
            I("养老机构备案", "10", 5, 0, L, ("licence", "premises"), (), "eldercare"),
        ),
    ),
    DepartmentSpec(
        "住建局", "清河区住房和城乡建设局", "00869635", False, "H", 5, "二楼G区",
        "construction_permit", 3,
        (
            I("建筑工程施工许可证核发", "01", 7, 3, L,
              ("licence", "land_approval", "drawings", "construction_contract"),
              ("construction",)),
            I("商品房预售许可", "01", 10, 5, L, ("licence", "land_approval", "plan"),
              ("construction",), "presale"),
            I("建设工程消防设计审查", "01", 15, 9, L, ("licence", "fire_design", "drawings"),
              ("construction",), "fire"),
            I("建设工程消防验收", "01", 15, 9, L, ("licence", "fire_design", "completion"),
              ("construction",), "fire"),
            I("房屋建筑和市政基础设施工程竣工验收备案", "10", 15, 5, L,
              ("licence", "completion"), ("construction",), "acceptance"),
            I("城镇污水排入排水管网许可", "01", 15, 9, L, ("licence", "plan"), ("construction",),
              "drainage"),
            I("公共租赁住房保障资格审核", "07", 30, 15, P, ("id", "hukou", "income", "rent"),
              (), "housing"),
            I("商品房买卖合同网签备案", "10", 1, 0, B, ("id", "sale_contract"),
              ("home-purchase",), "contract_filing", online=4),
        ),
    ),
    DepartmentSpec(
        "自然资源局", "清河区自然资源和规划局", "00869643", False, "H", 3, "二楼G区", "planning",
        3,
        (
            I("建设项目用地预审与选址意见书核发", "01", 20, 10, L, ("licence", "plan"),
              ("construction",)),
            I("建设用地规划许可证核发", "01", 20, 10, L, ("licence", "land_approval", "plan"),
              ("construction",)),
            I("建设工程规划许可证核发", "01", 20, 10, L, ("licence", "land_approval", "plan"),
              ("construction",)),
            I("乡村建设规划许可证核发", "01", 20, 12, B, ("id", "homestead", "plan")),
            I("建设工程规划核实", "07", 15, 5, L, ("licence", "completion"), ("construction",)),
            I("临时用地审批", "01", 20, 12, L, ("licence", "plan"), (), "temporary_land"),
        ),
    ),
    DepartmentSpec(
        "交通运输局", "清河区交通运输局", "00869651", False, "H", 3, "二楼G区", "road_transport",
        3,
        (
            I("道路货物运输经营许可", "01", 20, 10, B, ("id", "transport"), ("business-start",)),
            I("道路运输从业人员从业资格证补发、换发", "07", 5, 0, P, ("id", "photo"), (),
              online=4),
            I("网络预约出租汽车运输证核发", "01", 20, 10, B, ("vehicle", "insurance"), (),
              "taxi"),
            I("出租汽车驾驶员从业资格注册", "07", 5, 1, P, ("id", "driving"), ("employment",),
              "taxi"),
            I("超限运输车辆行驶公路许可", "01", 5, 3, B, ("vehicle", "road_plan"), (),
              "oversize", online=4),
            I("公路涉路施工许可", "01", 20, 15, L, ("licence", "road_plan"), ("construction",),
              "road"),
        ),
    ),
    DepartmentSpec(
        "教育局", "清河区教育局", "00869660", False, "J", 2, "三楼H区", "private_school", 3,
        (
            I("民办学校（幼儿园）办学许可", "01", 60, 30, L, ("rep_id", "premises", "articles")),
            I("教师资格认定", "07", 30, 15, P, ("id", "teacher", "diploma", "checkup"), (),
              "teacher", online=3),
            I("义务教育阶段入学报名", "20", 10, 5, P, ("hukou", "school"), ("school",),
              "compulsory", online=4),
            I("家庭经济困难学生认定", "07", 15, 5, P, ("id", "student", "income"), ("school",),
              "student_aid"),
        ),
    ),
    DepartmentSpec(
        "文广旅局", "清河区文化广播电视和旅游局", "00869678", False, "J", 2, "三楼H区",
        "performance", 3,
        (
            I("营业性演出审批", "01", 3, 1, L, ("licence", "venue")),
            I("娱乐场所经营许可", "01", 20, 10, L, ("licence", "entertainment"),
              ("business-start",), "entertainment"),
            I("互联网上网服务营业场所经营许可", "01", 20, 10, L, ("licence", "entertainment"),
              ("business-start",), "internet_cafe"),
            I("旅行社设立许可", "01", 20, 12, L, ("licence", "deposit", "premises"),
              ("business-start",), "travel_agency"),
            I("公共图书馆读者证办理", "20", 1, 0, P, ("id",), ("school",), "library", online=4),
        ),
    ),
    DepartmentSpec(
        "退役军人局", "清河区退役军人事务局", "MA6B2K11", False, "J", 2, "三楼H区", "veteran", 2,
        (
            I("退役军人优待证申领", "20", 20, 10, P, ("id", "veteran", "photo"), (),
              conditions="户籍在本区的退役军人和其他优抚对象。"),
            I("退役士兵自主就业一次性经济补助金发放", "05", 20, 10, P, ("id", "veteran", "bank"),
              ("employment",)),
            I("伤残抚恤关系接收、转移", "07", 20, 10, P, ("id", "veteran", "disability"), (),
              "veteran_pension"),
            I("烈士遗属定期抚恤金发放", "05", 20, 10, P, ("id", "family", "bank"), (),
              "veteran_pension"),
        ),
    ),
    DepartmentSpec(
        "生态环境分局", "清河区生态环境分局", "00869694", False, "H", 2, "二楼G区", "eia", 3,
        (
            I("建设项目环境影响报告表审批", "01", 30, 15, L, ("licence", "eia_report"),
              ("construction",)),
            I("排污许可证核发", "01", 30, 20, L, ("licence", "eia_report"), ("business-start",),
              "pollution_permit"),
            I("建设项目环境影响登记表备案", "10", 1, 0, L, ("licence",), ("construction",),
              "eia_filing", online=4),
            I("环境污染投诉举报受理", "20", 7, 3, B, ("id",), (), "environment_report",
              online=4),
        ),
    ),
    DepartmentSpec(
        "农业农村局", "清河区农业农村局", "00869707", False, "K", 2, "三楼H区", "pesticide", 3,
        (
            I("农药经营许可", "01", 20, 12, L, ("licence", "pesticide")),
            I("动物防疫条件合格证核发", "01", 20, 10, L, ("licence", "animal"), (), "animal"),
            I("农作物种子生产经营许可", "01", 20, 12, L, ("licence", "seed"), (), "seed"),
            I("农村宅基地和村民住宅建设审批", "01", 20, 10, P, ("id", "hukou", "homestead"),
              (), "homestead"),
            I("农机购置补贴申领", "05", 15, 5, B, ("id", "bank"), (), "farm_subsidy"),
        ),
    ),
    DepartmentSpec(
        "商务局", "清河区商务局", "00869715", False, "K", 2, "三楼H区", "prepaid", 4,
        (
            I("单用途商业预付卡发卡企业备案", "10", 5, 0, L, ("licence", "prepaid")),
            I("再生资源回收经营者备案", "10", 5, 0, L, ("licence", "recycling"), (),
              "recycling"),
            I("二手车交易市场经营者备案", "10", 5, 0, L, ("licence", "premises"), (), "used_car"),
        ),
    ),
    DepartmentSpec(
        "应急局", "清河区应急管理局", "MA6B2K2X", False, "H", 2, "二楼G区", "hazchem", 3,
        (
            I("危险化学品经营许可证核发", "01", 30, 15, L,
              ("licence", "chemical", "safety_rules", "safety_staff")),
            I("烟花爆竹经营（零售）许可", "01", 20, 5, L, ("licence", "safety_staff"), (),
              "fireworks"),
            I("生产安全事故应急预案备案", "10", 5, 0, L, ("licence", "emergency_plan"), (),
              "emergency"),
        ),
    ),
    DepartmentSpec(
        "城管局", "清河区城市管理局", "00869731", False, "H", 2, "二楼G区", "billboard", 3,
        (
            I("设置大型户外广告审批", "01", 20, 5, L, ("licence", "billboard")),
            I("城市建筑垃圾处置核准", "01", 20, 10, L, ("licence", "waste"), ("construction",),
              "construction_waste"),
            I("城市道路占用、挖掘审批", "01", 20, 10, L, ("licence", "road_plan"),
              ("construction",), "urban_road"),
            I("砍伐城市树木、迁移古树名木审批", "01", 20, 10, B, ("id", "tree"), (), "trees"),
        ),
    ),
    DepartmentSpec(
        "公积金中心", "住房公积金管理中心清河管理部", "45095149", True, "G", 6, "二楼F区",
        "housing_fund", 4,
        (
            I("住房公积金单位缴存登记", "07", 3, 0, L, ("licence", "rep_id"),
              ("business-start",)),
            I("住房公积金提取", "20", 3, 1, P, ("id", "fund_account", "bank"),
              conditions="职工购买、建造、翻建、大修自住住房，离休、退休，租房自住等"
              "符合《住房公积金管理条例》第二十四条规定情形的。",
              subs=(
                  I("购买自住住房提取住房公积金", "20", 3, 1, P, ("id", "purchase", "bank"),
                    ("home-purchase",)),
                  I("租赁住房提取住房公积金", "20", 3, 0, P, ("id", "rent", "bank")),
                  I("离休、退休提取住房公积金", "20", 3, 0, P, ("id", "retired", "bank"),
                    ("retirement",)),
                  I("职工死亡提取住房公积金", "20", 3, 1, P, ("death", "family", "bank"),
                    ("after-death",)),
              )),
            I("住房公积金个人住房贷款", "20", 15, 5, P, ("id", "loan", "purchase"),
              ("home-purchase",)),
            I("住房公积金异地转移接续", "20", 5, 1, P, ("id", "fund_account"), ("employment",)),
            I("住房公积金缴存证明开具", "20", 1, 0, P, ("id",)),
        ),
    ),
)
# fmt: on

VARIANT_LABELS: dict[str, str] = {
    ServiceItem.Variant.NEW: "新办",
    ServiceItem.Variant.CHANGE: "变更",
    ServiceItem.Variant.RENEWAL: "延续",
    ServiceItem.Variant.CANCELLATION: "注销",
}
# A business item's handling variants belong to other moments of the company's life.
_BUSINESS_VARIANT_EVENTS: dict[str, tuple[str, ...]] = {
    ServiceItem.Variant.NEW: ("business-start",),
    ServiceItem.Variant.CHANGE: ("business-change",),
    ServiceItem.Variant.RENEWAL: (),
    ServiceItem.Variant.CANCELLATION: ("business-closure",),
}

CONDITIONS: dict[str, str] = {
    "01": "申请人符合{name}的法定条件和标准，申请材料齐全、符合法定形式。",
    "04": "依法负有缴纳义务的纳税人或缴费人，按规定如实申报。",
    "05": "符合{name}相关政策规定的保障对象，本人或其代理人按规定提出申请。",
    "06": "依法接受监督检查的生产经营者，可查询本单位的检查结果。",
    "07": "申请人依法需要办理{name}，提交的材料真实、完整、有效。",
    "08": "举报内容属实、事先未被掌握且经查证属实的实名举报人。",
    "09": "与本案有直接利害关系的当事人，在法定时效内提出申请。",
    "10": "依法需要办理{name}的单位或个人。",
    "20": "有{name}需求的个人或单位均可申请。",
}

STEP_TEXTS: dict[str, str] = {
    "受理": "窗口核对申请材料，材料齐全、符合法定形式的予以受理；需要补正的一次性告知全部内容",
    "审查": "对申请材料进行审查，需要现场核查的组织核查",
    "决定": "依法作出准予或不予办理的决定，不予办理的书面说明理由",
    "送达": "通过窗口领取、邮寄或电子证照方式送达办理结果",
}

# ---------------------------------------------------------------------------------------------
# Staff
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺"
)
GIVEN_NAME_CHARACTERS = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力永健世广志义兴良海山"
    "仁波宁贵福生龙元全国胜学祥才发武新利清飞彬富顺信子杰涛昌成康星光天达安岩中茂进林有坚"
    "和彪博诚先敬震振壮会思群豪心邦承乐绍功松善厚庆磊民友裕河哲江超浩亮政谦亨奇固之轮翰朗"
    "伯宏言若鸣朋斌梁栋维启克伦翔旭鹏泽晨辰士以建家致树炎德行时泰盛雄琛钧冠策腾楠榕风航弘"
    "婷雪琳晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗"
)
STAFF_COMMITMENTS = (
    "我承诺：热情服务、一次告知、限时办结、廉洁自律，不让群众跑冤枉路。",
    "我承诺：亮证上岗、文明用语、首问负责、按时办结，接受群众监督。",
    "我承诺：依法依规、公开透明、高效便民、清正廉洁，办好每一件事。",
)

DEMO_FULL_NAMES: dict[str, str] = {
    Role.CITIZEN: "演示群众",
    Role.CLERK: "演示窗口人员",
    Role.CHIEF_REPRESENTATIVE: "演示首席代表",
    Role.REVIEWER: "演示审核人员",
    Role.DEPARTMENT_HEAD: "演示部门负责人",
    Role.HALL_MANAGER: "演示大厅管理员",
    Role.SUPERVISOR: "演示电子监察员",
    Role.INSPECTOR: "演示督查员",
    Role.ASSESSOR: "演示评议代表",
    Role.ADMINISTRATOR: "演示中心管理员",
}
DEMO_TITLES: dict[str, str] = {
    Role.CLERK: "窗口受理员",
    Role.CHIEF_REPRESENTATIVE: "首席代表",
    Role.REVIEWER: "审核员",
    Role.DEPARTMENT_HEAD: "分管负责人",
    Role.HALL_MANAGER: "大厅值班长",
    Role.SUPERVISOR: "电子监察员",
    Role.INSPECTOR: "督查专员",
    Role.ASSESSOR: "评议代表",
    Role.ADMINISTRATOR: "中心系统管理员",
}
# The department whose staff the demo log-ins of the department roles join.
DEMO_DEPARTMENT = "市场监管局"


def demo_username(role: Role) -> str:
    return "demo-" + role.value.replace("_", "-")


def demo_logins() -> list[tuple[Role, str]]:
    """Each role with the username of its demo log-in."""
    return [(role, demo_username(role)) for role in Role]


# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SeedSummary:
    departments: int
    counters: int
    items: int
    staff: int


def _organisation_code(body: str) -> str:
    """GB 11714: the 8-character organisation code body followed by its check character."""
    values = [int(char) if char.isdigit() else ord(char) - 55 for char in body]
    check = 11 - sum(v * w for v, w in zip(values, (3, 7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def department_uscc(spec: DepartmentSpec, area_code: str) -> str:
    """11 (organ of government) or 12 (public institution), the area, the organisation code."""
    prefix = "12" if spec.institution else "11"
    return uscc_with_check(prefix + area_code[:6] + _organisation_code(spec.org_code))


def steps_for(promised: int) -> list[tuple[str, int]]:
    """受理 / 审查 / 决定 / 送达 with working days that add up to the promised limit."""
    accept = 1 if promised >= 5 else 0
    deliver = 1 if promised >= 3 else 0
    rest = promised - accept - deliver
    review = math.ceil(rest / 2)
    return [("受理", accept), ("审查", review), ("决定", rest - review), ("送达", deliver)]


def _bulk(model: type[models.Model], objects: list[Any]) -> list[Any]:
    """bulk_create that keeps the catalog's change history (one "created" row each)."""
    if not objects:
        return objects
    if hasattr(model, "history"):
        created: list[Any] = bulk_create_with_history(
            objects, model, default_change_reason=CHANGE_REASON
        )
        return created
    return model._default_manager.bulk_create(objects)


@dataclass
class _ItemRow:
    """An item ready to save, with what is attached to it once it has a primary key."""

    item: ServiceItem
    spec: ItemSpec
    events: tuple[str, ...]
    counters: list[Counter]
    parent_row: _ItemRow | None = None
    children: list[_ItemRow] = field(default_factory=list)


@transaction.atomic
def demo_center_seed() -> SeedSummary | None:
    """Load the demo center once; None when it is already there (running again changes nothing)."""
    if Center.objects.filter(slug=DEMO_CENTER_SLUG).exists():
        return None
    roles_ensure()
    center = Center(**CENTER)
    center.full_clean()
    center.save()
    departments = _departments_create(center)
    counters = _counters_create(center, departments)
    items = _items_create(center, departments, counters)
    staff = _staff_create(center, departments, counters)
    _forms_and_stages_create(center, departments)
    demo_additions_ensure(center)
    # Bulk creation sends no signals: the public pages learn of the new rows here.
    catalog_revision_bump()
    return SeedSummary(
        departments=len(departments), counters=len(counters), items=items, staff=staff
    )


# Application form fields (申请表字段) of a few items, so that online application shows them:
# item name → (key, label, kind, required, choices).
DEMO_FIELDS: dict[str, list[tuple[str, str, str, bool, str]]] = {
    "营业执照核发": [
        ("company_name", "企业名称", "text", True, ""),
        ("company_type", "企业类型", "choice", True, "有限责任公司\n个人独资企业\n合伙企业"),
        ("registered_capital", "注册资本（万元）", "number", True, ""),
        ("business_scope", "经营范围", "text", True, ""),
        ("premises", "住所", "address", True, ""),
        ("opening_day", "拟开业日期", "date", False, ""),
    ],
    "食品经营许可": [
        ("shop_name", "经营者名称", "text", True, ""),
        ("premises", "经营场所", "address", True, ""),
        (
            "food_categories",
            "经营项目",
            "choice",
            True,
            "预包装食品销售\n散装食品销售\n热食类食品制售",
        ),
        ("manager_id", "食品安全管理员身份证号码", "id_number", True, ""),
    ],
}

# Approval stages of the food licence: the market regulator reviews the papers, then it and
# the health bureau check the premises in parallel (并联审批), then the head decides.
# (position, name, department short name, role, working days, parallel group)
DEMO_STAGES: dict[str, list[tuple[int, str, str, str, int, str]]] = {
    "食品经营许可": [
        (1, "材料审查", "市场监管局", Role.REVIEWER, 1, ""),
        (2, "食品安全现场核查", "市场监管局", Role.REVIEWER, 2, "现场核查"),
        (2, "卫生条件审查", "卫健局", Role.REVIEWER, 2, "现场核查"),
        (3, "许可决定", "市场监管局", Role.DEPARTMENT_HEAD, 1, ""),
    ],
}


# Items that issue a certificate (证照): item name → (certificate name, valid for years or None).
DEMO_CERTIFICATES: dict[str, tuple[str, int | None]] = {
    "营业执照核发": ("营业执照", None),
    "食品经营许可": ("食品经营许可证", 5),
    "就业创业证申领": ("就业创业证", None),
}

# Automatic approval (秒批): the employment card for a resident who is out of work or starting
# a business, of working age, since a day not in the future. Its form fields and rules.
DEMO_AUTO_ITEM = "就业创业证申领"
DEMO_AUTO_FIELDS: list[tuple[str, str, str, bool, str]] = [
    ("employment_status", "就业状态", "choice", True, "登记失业\n灵活就业\n自主创业"),
    ("status_since", "状态开始日期", "date", True, ""),
    ("age", "年龄", "number", True, ""),
]
# (kind, field key, minimum, maximum, values)
DEMO_AUTO_RULES: list[tuple[str, str, int | None, int | None, str]] = [
    (AutoRule.Kind.APPLICANT_KIND, "", None, None, "person"),
    (AutoRule.Kind.CHOICE, "employment_status", None, None, "登记失业\n灵活就业\n自主创业"),
    (AutoRule.Kind.PAST_DATE, "status_since", None, None, ""),
    (AutoRule.Kind.NUMBER, "age", 16, 65, ""),
]

# Bundles (一件事一次办): code, name, description, life event, items (main or sub) in order.
DEMO_BUNDLES: list[tuple[str, str, str, str, list[str]]] = [
    (
        "open-restaurant",
        "开办餐馆一件事",
        "营业执照、食品经营许可和单位社保参保登记一次申请：一张表单，同一份材料只交一次。",
        "business-start",
        ["营业执照核发", "食品经营许可", "单位社会保险参保登记"],
    ),
    (
        "newborn",
        "新生儿出生一件事",
        "出生登记（报户口）、城乡居民医保参保和社会保障卡申领一次申请。",
        "birth",
        ["出生登记", "城乡居民基本医疗保险参保登记", "社会保障卡申领"],
    ),
]


@transaction.atomic
def demo_additions_ensure(center: Center) -> None:
    """Certificates, automatic approval and bundles of the demo, added to a demo center that
    lacks them (also one loaded before they existed); running it again changes nothing."""
    items = {
        item.name: item
        for item in ServiceItem.objects.filter(center=center).exclude(
            level=ServiceItem.Level.VARIANT
        )
    }
    for name, (certificate, years) in DEMO_CERTIFICATES.items():
        ServiceItem.objects.filter(pk=items[name].pk, certificate_name="").update(
            certificate_name=certificate, certificate_valid_years=years
        )
    auto = items[DEMO_AUTO_ITEM]
    if not auto.auto_approval:
        ServiceItem.objects.filter(pk=auto.pk).update(auto_approval=True)
        for position, (key, label, kind, required, choices) in enumerate(DEMO_AUTO_FIELDS):
            ItemField.objects.get_or_create(
                item=auto,
                key=key,
                defaults={
                    "position": position,
                    "label": label,
                    "kind": kind,
                    "required": required,
                    "choices": choices,
                },
            )
        for position, (kind, key, low, high, values) in enumerate(DEMO_AUTO_RULES, start=1):
            AutoRule.objects.create(
                item=auto,
                position=position,
                kind=kind,
                field_key=key,
                minimum=None if low is None else Decimal(low),
                maximum=None if high is None else Decimal(high),
                values=values,
            )
    events = {event.slug: event for event in LifeEvent.objects.all()}
    for order, (code, name, description, event, members) in enumerate(DEMO_BUNDLES, start=1):
        bundle, created = Bundle.objects.get_or_create(
            center=center,
            code=code,
            defaults={
                "name": name,
                "description": description,
                "life_event": events.get(event),
                "published": True,
                "sort_order": order * 10,
            },
        )
        if created:
            for position, member in enumerate(members, start=1):
                BundleItem.objects.create(bundle=bundle, item=items[member], position=position)
    # The updates above send no signals: the public pages learn of them here.
    catalog_revision_bump()


def _forms_and_stages_create(center: Center, departments: dict[str, Department]) -> None:
    items = {
        item.name: item
        for item in ServiceItem.objects.filter(
            center=center, name__in=[*DEMO_FIELDS, *DEMO_STAGES], level=ServiceItem.Level.MAIN
        )
    }
    ItemField.objects.bulk_create(
        ItemField(
            item=items[name],
            position=position,
            key=key,
            label=label,
            kind=kind,
            required=required,
            choices=choices,
        )
        for name, fields in DEMO_FIELDS.items()
        for position, (key, label, kind, required, choices) in enumerate(fields)
    )
    StageSpec.objects.bulk_create(
        StageSpec(
            item=items[name],
            position=position,
            name=stage,
            department=departments[short],
            role=role,
            days=days,
            parallel_group=group,
        )
        for name, stages in DEMO_STAGES.items()
        for position, stage, short, role, days, group in stages
    )


def _departments_create(center: Center) -> dict[str, Department]:
    departments = [
        Department(
            center=center,
            name=spec.name,
            short_name=spec.short_name,
            uscc=department_uscc(spec, center.area_code),
            sort_order=(index + 1) * 10,
        )
        for index, spec in enumerate(DEPARTMENTS)
    ]
    for department in departments:
        department.full_clean()
    return {department.short_name: department for department in _bulk(Department, departments)}


def _counters_create(center: Center, departments: dict[str, Department]) -> list[Counter]:
    categories = QueueCategory.objects.bulk_create(
        [
            QueueCategory(
                center=center,
                letter=letter,
                name=name,
                department=departments[owner] if owner else None,
            )
            for letter, name, owner in QUEUE_CATEGORIES
        ]
    )
    by_letter = {category.letter: category for category in categories}
    counters: list[Counter] = []
    served: list[tuple[int, str]] = []  # (index into counters, letter)
    for number in range(1, GENERAL_COUNTERS + 1):
        counters.append(
            Counter(
                center=center,
                number=number,
                name="综合窗口",
                kind=Counter.Kind.GENERAL,
                location=GENERAL_COUNTER_LOCATION,
            )
        )
        served += [(len(counters) - 1, letter) for letter in GENERAL_COUNTER_CATEGORIES]
    for spec in DEPARTMENTS:
        for _ in range(spec.counters):
            counters.append(
                Counter(
                    center=center,
                    number=len(counters) + 1,
                    name=f"{spec.short_name}窗口",
                    kind=Counter.Kind.DEPARTMENT,
                    department=departments[spec.short_name],
                    location=spec.location,
                )
            )
            served.append((len(counters) - 1, spec.category))
    counters = _bulk(Counter, counters)
    Counter.categories.through.objects.bulk_create(
        [
            Counter.categories.through(counter=counters[index], queuecategory=by_letter[letter])
            for index, letter in served
        ]
    )
    return counters


def _items_create(
    center: Center, departments: dict[str, Department], counters: list[Counter]
) -> int:
    general = [counter for counter in counters if counter.kind == Counter.Kind.GENERAL]
    rows: list[_ItemRow] = []
    for number, spec in enumerate(DEPARTMENTS, start=1):
        department = departments[spec.short_name]
        own = [counter for counter in counters if counter.department_id == department.pk]
        item_counters = [*own, general[(number - 1) % len(general)]]
        first, last = own[0].number, own[-1].number
        place = f"{center.name}{spec.location}{spec.short_name}窗口（{first}-{last}号）"
        for sequence, item_spec in enumerate(spec.items, start=1):
            code = f"{item_spec.item_type}{number:02d}{sequence:03d}"
            rows += _item_rows(
                center, department, spec, item_spec, code, item_counters, place, sub=0
            )
    # Parents first: a sub item or a variant needs its parent's primary key.
    for depth in range(3):
        level = [row for row in rows if _depth(row) == depth]
        for row in level:
            if row.parent_row is not None:
                row.item.parent = row.parent_row.item
            item_refresh_derived(item=row.item)
            # The database enforces the unique codes and the promise check in the insert.
            row.item.full_clean(validate_unique=False, validate_constraints=False)
        _bulk(ServiceItem, [row.item for row in level])
    _item_details_create(rows)
    return len(rows)


def _depth(row: _ItemRow) -> int:
    return 0 if row.parent_row is None else 1 + _depth(row.parent_row)


def _item_rows(
    center: Center,
    department: Department,
    department_spec: DepartmentSpec,
    spec: ItemSpec,
    code: str,
    counters: list[Counter],
    place: str,
    *,
    sub: int,
    level: str = ServiceItem.Level.MAIN,
) -> list[_ItemRow]:
    """The rows of one item spec: the item, its sub items and its handling variants."""
    online = spec.online or department_spec.online
    promised = (
        spec.promised
        if spec.promised is not None
        else math.floor(spec.statutory * settings.GOVHALL_PROMISE_RATIO)
    )
    basis = BASES[spec.basis or department_spec.basis]
    if spec.item_type == "01":
        basis += "；" + LICENSING_LAW

    def build(name: str, variant: str, item_level: str) -> ServiceItem:
        return ServiceItem(
            center=center,
            basic_code=f"{code}{sub:02d}00000",
            name=name,
            item_type=spec.item_type,
            level=item_level,
            variant=variant,
            department=department,
            implementing_body=department.name,
            subject=spec.subject,
            legal_basis=basis,
            conditions=spec.conditions or CONDITIONS[spec.item_type].format(name=spec.name),
            is_free=not spec.fees,
            statutory_days=spec.statutory,
            promised_days=promised,
            visits={4: 0, 3: 1, 2: 1, 1: 2}[online],
            online_level=online,
            appointment_allowed=online < 4,
            place=place,
            hours=CENTER["hours"],
            consult_phone=f"0826-28611{DEPARTMENTS.index(department_spec) + 10:02d}",
            complaint_phone=CENTER["complaint_phone"],
            status=ServiceItem.Status.PUBLISHED,
        )

    row = _ItemRow(build(spec.name, "", level), spec, spec.events, counters)
    rows = [row]
    for index, sub_spec in enumerate(spec.subs, start=1):
        for child in _item_rows(
            center,
            department,
            department_spec,
            sub_spec,
            code,
            counters,
            place,
            sub=index,
            level=ServiceItem.Level.SUB,
        ):
            if child.parent_row is None:
                child.parent_row = row
            rows.append(child)
    for variant in spec.variants:
        events = spec.events
        if "business-start" in spec.events:
            events = _BUSINESS_VARIANT_EVENTS[variant]
        name = f"{spec.name}（{VARIANT_LABELS[variant]}）"
        rows.append(
            _ItemRow(build(name, variant, ServiceItem.Level.VARIANT), spec, events, counters, row)
        )
    return rows


def _item_details_create(rows: list[_ItemRow]) -> None:
    """Materials, fees, steps, questions, counters and life events of the saved items."""
    events = _life_events_ensure()
    materials: list[MaterialSpec] = []
    fees: list[Fee] = []
    steps: list[ProcessStep] = []
    questions: list[Question] = []
    item_counters: list[Any] = []
    item_events: list[Any] = []
    for row in rows:
        item, spec = row.item, row.spec
        keys = ("form", *(spec.materials or ("id",)), "proxy")
        for position, key in enumerate(keys[:6], start=1):
            name, form, copies, required, certificate = MATERIALS[key]
            materials.append(
                MaterialSpec(
                    item=item,
                    position=position,
                    name=name.format(item=spec.name),
                    form=form,
                    copies=copies,
                    required=required,
                    certificate_type=certificate,
                )
            )
        for key in spec.fees:
            fee_name, amount, fee_basis = FEES[key]
            fees.append(Fee(item=item, name=fee_name, amount=Decimal(amount), basis=fee_basis))
        for position, (step, days) in enumerate(steps_for(item.promised_days), start=1):
            description = STEP_TEXTS[step] if item.promised_days else f"{STEP_TEXTS[step]}（即办）"
            steps.append(
                ProcessStep(
                    item=item, position=position, name=step, days=days, description=description
                )
            )
        for position, (question, answer) in enumerate(_questions_for(item), start=1):
            questions.append(
                Question(item=item, position=position, question=question, answer=answer)
            )
        item_counters += [
            ServiceItem.counters.through(serviceitem=item, counter=counter)
            for counter in row.counters
        ]
        item_events += [
            ServiceItem.life_events.through(serviceitem=item, lifeevent=events[slug])
            for slug in row.events
        ]
    _bulk(MaterialSpec, materials)
    _bulk(Fee, fees)
    _bulk(ProcessStep, steps)
    _bulk(Question, questions)
    ServiceItem.counters.through.objects.bulk_create(item_counters)
    ServiceItem.life_events.through.objects.bulk_create(item_events)


def _questions_for(item: ServiceItem) -> list[tuple[str, str]]:
    """One to three frequently asked questions that follow from the item's guide."""
    if item.subject == ServiceItem.Subject.LEGAL:
        proxy = "可以。经办人应携带单位授权委托书及本人身份证件原件。"
    else:
        proxy = "可以。受托人应携带授权委托书及委托人、受托人的身份证件原件。"
    questions = [("可以委托他人代为办理吗？", proxy)]
    if item.online_level >= ServiceItem.OnlineLevel.PARTLY_ONLINE:
        questions.append(
            (
                "可以在网上办理吗？",
                f"可以。登录清河区政务服务网或“天府通办”搜索“{item.name}”，"
                "按提示填写信息、上传材料，办理进度可在“我的办件”中查询。",
            )
        )
    if not item.is_free:
        questions.append(("需要缴费吗？", "需要。收费标准及依据见本指南“收费标准”一栏。"))
    elif item.promised_days == 0:
        questions.append(("能当场办结吗？", "能。材料齐全、符合法定形式的，窗口当场办结。"))
    return questions[:3]


def _life_events_ensure() -> dict[str, LifeEvent]:
    """Life events are shared by every center: create the missing ones, keep the others."""
    existing = {event.slug: event for event in LifeEvent.objects.all()}
    missing = [
        LifeEvent(slug=slug, name=name, subject=subject, sort_order=(index + 1) * 10)
        for index, (slug, name, subject) in enumerate(LIFE_EVENTS)
        if slug not in existing
    ]
    for event in LifeEvent.objects.bulk_create(missing):
        existing[event.slug] = event
    return existing


def _full_names(count: int, rng: random.Random) -> list[str]:
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < count:
        given = "".join(rng.choices(GIVEN_NAME_CHARACTERS, k=rng.choice((1, 2, 2, 2))))
        name = rng.choice(SURNAMES) + given
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


def _staff_create(
    center: Center, departments: dict[str, Department], counters: list[Counter]
) -> int:
    """151 generated staff (counter clerks, chief representatives) and the demo log-ins."""
    rng = random.Random(2026)  # a fixed seed: the same names on every machine
    general = [counter for counter in counters if counter.kind == Counter.Kind.GENERAL]
    # Each member of staff: the user, the profile's fields, the role.
    staff: list[tuple[User, dict[str, Any], Role]] = [
        (User(), {"counter": counter, "title": f"综合窗口{shift}受理员"}, Role.CLERK)
        for shift in ("A岗", "B岗")
        for counter in general
    ]
    staff += [
        (
            User(),
            {"department": counter.department, "counter": counter, "title": "窗口受理员"},
            Role.CLERK,
        )
        for counter in counters
        if counter.kind == Counter.Kind.DEPARTMENT
    ]
    staff += [
        (User(), {"department": department, "title": "首席代表"}, Role.CHIEF_REPRESENTATIVE)
        for short_name, department in departments.items()
        if short_name != DEMO_DEPARTMENT
    ]
    for number, ((user, profile, _), full_name) in enumerate(
        zip(staff, _full_names(len(staff), rng), strict=True), start=1
    ):
        user.username = f"staff{number:03d}"
        user.full_name = full_name
        user.set_unusable_password()
        profile["party_member"] = rng.random() < 0.45
        profile["commitment"] = rng.choice(STAFF_COMMITMENTS)

    demo_department = departments[DEMO_DEPARTMENT]
    demo_counter = next(c for c in counters if c.department_id == demo_department.pk)
    password = make_password(DEMO_PASSWORD)  # hashed once: hashing is the slow part
    demo_users = {
        role: User(
            username=username,
            full_name=DEMO_FULL_NAMES[role],
            password=password,
            is_staff=role == Role.ADMINISTRATOR,
        )
        for role, username in demo_logins()
    }
    for role, user in demo_users.items():
        if role == Role.CITIZEN:
            continue
        profile = {"title": DEMO_TITLES[role], "commitment": STAFF_COMMITMENTS[0]}
        if role in DEPARTMENT_ROLES:
            profile["department"] = demo_department
        if role == Role.CLERK:
            profile["counter"] = demo_counter
        staff.append((user, profile, role))

    User.objects.bulk_create([*(user for user, _, _ in staff), demo_users[Role.CITIZEN]])
    groups = {group.name: group for group in Group.objects.filter(name__in=Role.values)}
    memberships = [(user, role) for user, _, role in staff] + [
        (demo_users[Role.CITIZEN], Role.CITIZEN)
    ]
    User.groups.through.objects.bulk_create(
        [User.groups.through(user=user, group=groups[role.value]) for user, role in memberships]
    )
    # Everyone signed their commitment at the start of the year, as the administrator recorded:
    # the counter screens show only signed ones.
    today = timezone.localdate()
    signed_on = dt.date(today.year if today >= dt.date(today.year, 1, 5) else today.year - 1, 1, 5)
    StaffProfile.objects.bulk_create(
        [
            StaffProfile(
                user=user,
                center=center,
                badge_number=f"QH{number:04d}",
                commitment_signed_on=signed_on,
                commitment_recorded_by=demo_users[Role.ADMINISTRATOR],
                **profile,
            )
            for number, (user, profile, _) in enumerate(staff, start=1)
        ]
    )
    chiefs = {
        profile["department"].pk: user
        for user, profile, role in staff
        if role == Role.CHIEF_REPRESENTATIVE
    }
    for department in departments.values():
        department.chief_representative = chiefs[department.pk]
    bulk_update_with_history(
        list(departments.values()),
        Department,
        ["chief_representative"],
        default_change_reason=CHANGE_REASON,
    )
    return len(staff)
