"""A multi-agency, multi-year corpus of 2021-format text reports with planted cross-report faults.

    python benchmarks/make_batch_corpus.py OUT_DIR --n 10000 [--seed 1]

Writes OUT_DIR/<year>/<slug>.txt (one report per agency and year, 2021–2024), OUT_DIR/manifest.csv
(path, agency, year, published, agency_kind, parent) and OUT_DIR/planted.json, the ground truth:
one entry {"path", "rule", "detail"} per report that a cross-report rule (XREF-009/010/012,
TEXT-005/006) should flag, with "also" listing further cross-report rules the same plant causes.

Districts (…市…区) hold departments, 街道 and 镇 (the components) and one aggregate report by the
district's 人民政府 whose every table cell is the sum of its components' cells. Each agency's
numbers chain across years (A2 = last year's C; VALID = last VALID + MADE − REPEALED); narratives
are assembled from fragment pools seeded per agency and year, so clean reports share little text.

Plants, about 1% of the reports each and at least 2 (so N ≥ 100): a carry-over (A2) or 现行有效 stock
that does not chain; section 五 or the whole report copied from the agency's previous year; a report
copied from another agency of the same year (the source is listed too); one year in which 250
agencies (N/20 for small N) use the same template text; an aggregate cell that is not the sum. They
leave each report consistent in itself and do not disturb the aggregates: a broken chain in one
component is balanced by the opposite error in another component of the same district, and copied
reports are made to chain.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import random
import re
import time
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path

__all__ = ["CorpusInfo", "make_batch_corpus", "MIN_REPORTS", "YEARS"]

YEARS = (2021, 2022, 2023, 2024)
COLS = ("NP", "BIZ", "SCI", "NGO", "LAW", "OTH")
OUTCOMES = ("B1", "B2", "B3_1", "B3_2", "B3_3", "B3_4", "B3_5", "B3_6", "B3_7", "B3_8", "B4_1", "B4_2", "B4_3",
            "B5_1", "B5_2", "B5_3", "B5_4", "B5_5", "B6_1", "B6_2", "B6_3")
_OUTCOME_WEIGHTS = (38, 8, 0.5, 1, 0.5, 2, 2, 3, 1, 2, 20, 4, 3, 4, 2, 1, 0.5, 1, 3, 0.5, 2)
APP_ROWS = ("A1", "A2", *OUTCOMES, "B7", "C")
GROUPS = ("RV", "LD", "LR")
RESULTS = ("MAINT", "CORR", "OTHER", "PEND")
DEC_ROWS = ("LIC", "PEN", "COE")
MIN_REPORTS = 100
Tables = dict[str, int]          # flat "ROW.COL" -> value; FEE.AMOUNT in hundredths of 万元


@dataclass
class CorpusInfo:
    """What `make_batch_corpus` wrote."""

    paths: list[Path]
    manifest: Path
    planted: list[dict]
    agencies: int
    districts: int


# ==== fragment pools ==============================================================================

def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# code, name, topics; rates: applications (自然人 per year), 许可, 处罚, 强制, 规范性文件
_DEPARTMENTS = (
    ("fgj", "发展和改革局", "重大项目建设 价格监测 粮食储备 节能降耗 营商环境评价 社会信用体系建设", 4, 60, 8, 0, 2),
    ("jyj", "教育局", "义务教育招生入学 学生资助 校外培训监管 教师招聘 学前教育普惠 校园安全", 8, 40, 5, 0, 2),
    ("kjj", "科学技术局", "科技型中小企业评价 高新技术企业培育 科技成果转化 科技特派员 创新平台建设 科普活动", 2, 5, 1, 0, 1),
    ("gxj", "工业和信息化局", "中小企业纾困 工业技术改造 专精特新企业培育 数字化转型 工业园区建设 工业节能监察", 3, 10, 4, 0, 1),
    ("gaj", "公安分局", "户籍办理 出入境服务 交通安全管理 治安防控 反诈宣传 警务公开", 10, 900, 700, 40, 1),
    ("mzj", "民政局", "最低生活保障 特困人员供养 养老服务 婚姻登记 社会组织管理 残疾人两项补贴", 6, 30, 3, 0, 2),
    ("sfj", "司法局", "公共法律服务 人民调解 法律援助 行政执法监督 普法宣传 社区矫正", 3, 8, 2, 0, 1),
    ("czj", "财政局", "财政预决算 政府债务 惠民惠农补贴 政府采购 专项资金管理 国有资产管理", 5, 3, 2, 0, 2),
    ("rsj", "人力资源和社会保障局", "就业创业扶持 社会保险待遇 职业技能培训 劳动保障监察 事业单位公开招聘 根治欠薪", 7, 120, 15, 1, 2),
    ("zrj", "自然资源局", "国土空间规划 土地征收 不动产登记 耕地保护 矿产资源管理 地质灾害防治", 25, 400, 30, 3, 2),
    ("sthj", "生态环境分局", "环境质量信息 污染源监管 环评审批 大气污染防治 水污染防治 环境执法", 9, 60, 45, 6, 1),
    ("zjj", "住房和城乡建设局", "保障性住房 老旧小区改造 建筑市场监管 物业管理 燃气安全 房屋征收", 18, 300, 40, 4, 2),
    ("jtj", "交通运输局", "农村公路建设 公交运营 道路运输许可 出租车管理 交通工程招投标 治超管理", 6, 500, 300, 20, 1),
    ("slj", "水利局", "河湖长制 防汛抗旱 供水保障 水资源管理 农村饮水安全 水土保持", 3, 40, 6, 1, 1),
    ("nyj", "农业农村局", "耕地地力保护补贴 高标准农田建设 农产品质量安全 动物疫病防控 农村人居环境整治 乡村振兴", 5, 80, 20, 2, 2),
    ("swj", "商务局", "促消费活动 外贸外资 电子商务发展 成品油市场监管 商贸流通 单用途预付卡管理", 2, 20, 3, 0, 1),
    ("wlj", "文化和旅游局", "公共文化服务 文物保护 旅游市场监管 非遗传承 文艺演出审批 公共图书馆建设", 3, 60, 12, 1, 1),
    ("wjw", "卫生健康委员会", "基本公共卫生服务 医疗机构监管 传染病防控 健康教育 计划生育奖励扶助 家庭医生签约", 8, 300, 60, 3, 2),
    ("tyjr", "退役军人事务局", "退役军人安置 优抚待遇 褒扬纪念 退役军人就业创业 双拥共建 退役军人权益维护", 3, 2, 0, 0, 1),
    ("yjj", "应急管理局", "安全生产监管 防灾减灾 危险化学品管理 应急预案管理 消防安全 自然灾害救助", 4, 50, 40, 5, 1),
    ("sjj", "审计局", "审计结果公告 经济责任审计 政府投资审计 审计整改 专项资金审计 预算执行审计", 2, 0, 1, 0, 1),
    ("scj", "市场监督管理局", "食品安全抽检 市场主体登记 药品监管 价格监督检查 特种设备安全 知识产权保护", 12, 3000, 250, 30, 1),
    ("tjj", "统计局", "统计公报 经济运行数据 人口普查 统计执法 统计调查 统计数据解读", 2, 0, 2, 0, 1),
    ("ybj", "医疗保障局", "医保待遇 医保基金监管 药品集中带量采购 城乡居民医保参保 异地就医结算 医疗救助", 4, 20, 10, 0, 1),
    ("cgj", "城市管理局", "市容环境整治 生活垃圾分类 违法建设治理 户外广告管理 园林绿化 占道经营治理", 6, 200, 500, 60, 1),
    ("lyj", "林业局", "森林防火 古树名木保护 林木采伐许可 生态公益林 林业有害生物防治 国土绿化", 2, 90, 15, 1, 1),
    ("tyj", "体育局", "全民健身 体育场馆开放 体育赛事活动 社会体育指导员 青少年体育 体育彩票公益金", 1, 5, 1, 0, 1),
    ("xfj", "信访局", "信访事项办理 领导干部接访 矛盾纠纷化解 网上信访 信访积案化解 信访工作法治化", 2, 0, 0, 0, 1),
    ("zsj", "政务服务和大数据管理局", "一网通办 政务服务事项清单 政务数据共享 帮办代办 政务服务便民热线 高效办成一件事", 3, 150, 0, 0, 1),
    ("rfb", "人民防空办公室", "人防工程建设 防空警报试鸣 人防宣传教育 人防工程审批 应急疏散演练 人防工程维护", 1, 15, 3, 0, 1),
    ("mzzj", "民族宗教事务局", "民族团结进步创建 宗教活动场所管理 少数民族权益保障 民族宗教政策宣传 宗教事务管理 少数民族流动人口服务", 1, 3, 1, 0, 1),
    ("gzb", "国有资产监督管理办公室", "国有企业改革 国有资本经营预算 国企负责人薪酬 国有资产监管 国企信息公开 国有资产处置", 1, 0, 0, 0, 1),
)
_OFFICE = ("zfb", "人民政府办公室", "政府常务会议 重大行政决策 建议提案办理 政务督查 政府规章规范性文件 政务公开工作要点", 4, 0, 0, 0, 3)
_SUBDISTRICT_TOPICS = "社区治理 老旧小区改造 居家养老服务 低保救助 网格化管理 矛盾纠纷调解 垃圾分类 退役军人服务站 社区党群服务中心 物业纠纷化解"
_TOWN_TOPICS = "乡村振兴 农村人居环境整治 惠农补贴发放 村务公开 农房建设管理 防汛防火 农村低保 土地流转 集体经济发展 耕地保护"
_GENERAL_TOPICS = _words("""优化营商环境 民生实事 财政资金 重大项目 安全生产 生态环境保护 义务教育 医疗卫生 社会救助 就业创业
    乡村振兴 城市更新 基层治理 公共文化服务 养老服务 食品药品安全 住房保障 交通出行 防灾减灾 市场监管 稳增长
    数字政府建设 法治政府建设 重大行政决策 行政执法 公共资源配置 政府采购 惠企政策 人才引进 社会保障""")

_CITY_1 = _words("青 临 安 清 永 宁 平 长 新 阳 云 兴 泰 德 嘉 明 华 乐 广 昌 丰 福 建 宜 定 海 金 玉 龙 凤 瑞 景 盛 和 怀 庆")
_CITY_2 = _words("山 江 川 河 阳 州 宁 平 城 源 水 泉 林 原 台 陵 安 丘 湾 峰 门 都 津 溪 岭 桥")
_DISTRICT_1 = _words("东 西 南 北 中 新 高 长 文 武 龙 凤 金 银 青 白 红 石 松 柳 桃 杏 梅 兰 云 天 开 滨 港 湖 翠 碧")
_DISTRICT_2 = _words("湖 城 山 河 港 桥 坪 塘 岗 原 江 林 洲 苑 门 关 岭 泽 溪 湾 川 园")
_STREET = _words("""和平 建设 人民 解放 东风 胜利 新华 朝阳 向阳 红旗 光明 文化 幸福 滨江 湖滨 南关 北关 城关 青年 工农 友谊
    团结 振兴 长安 迎宾 育才 府前 站前 中山 花园 锦绣 春晖 广场 学府 明珠 金桥 丰收 长青 永安 太平""")
_TOWN = _words("""柳林 石桥 白沙 黄土 龙泉 青石 桃源 马家 李庄 杨湾 陈集 高坪 新店 双河 三合 太和 永丰 大王 清水 枫林
    松岗 梅岭 竹园 樟树 杏花 安乐 长岭 沙河 洪山 罗田 团山 金沟 古城 东岗 西塘 南湖 北坡 柏树 草埠 花桥""")

_PLATFORMS = ("{d}政府门户网站", "“{s}发布”微信公众号", "“{s}政务”微博", "{d}政务服务网", "“{s}融媒”客户端",
              "“{s}之声”抖音号", "{d}政务公开专区", "“{s}政务”头条号", "“{s}发布”视频号", "{d}政府信息公开专栏")
_COLUMNS = _words("""法定主动公开内容 政策文件 政策解读 重点领域信息公开 财政预决算 重大行政决策 双随机一公开 营商环境
    民生实事 人事信息 建议提案办理 政府信息公开指南 政府信息公开目录 回应关切 便民服务 公示公告 行政执法公示 权责清单
    专项资金 招标采购 公共资源配置 统计数据 规划计划 政府会议 惠企政策 征集调查 在线访谈 政府工作报告 应急管理 社会救助""")
_INFO = _words("""政策文件 工作动态 通知公告 公示公告 政策解读 统计数据 项目信息 人事信息 办事指南 规划计划 财政资金信息
    招标采购信息 行政执法信息 民生实事进展 审批结果 监督检查结果 资金分配结果 重要会议信息""")
_DOCS = _words("政策文件 规划计划 工作总结 年度工作要点 实施方案 办事指南 统计公报 预决算说明 审计结果 工作报告 管理办法 服务清单")
_INTERP = _words("图文解读 视频解读 一图读懂 动漫解读 问答解读 专家解读 负责人解读 案例解读 音频解读 长图解读 在线访谈 新闻发布会")
_CHANNELS = _words("网上征集 座谈会 问卷调查 实地走访 听证会 民意调查 专家论证 意见征集专栏 政民互动平台 入户走访")
_FOCUS = _words("""优化营商环境 保障和改善民生 乡村振兴 基层治理现代化 安全生产 生态文明建设 城市更新 稳就业保民生
    数字政府建设 法治政府建设 重大项目建设 社会救助兜底 教育优质均衡 健康城区建设 文明城市创建 平安建设""")
_REVIEWS = _words("保密审查 合法性审查 三审三校 敏感信息审查 个人信息保护审查 公开属性审核")
_SYSTEMS = _words("信息发布协调机制 政府信息公开工作制度 公开属性源头认定制度 信息发布审核制度 依申请公开会商机制 政务公开工作台账")
_ERRORS = _words("失效链接 过期 表述不规范 格式不统一 涉及个人隐私 附件缺失 标题不准确")
_DEVICES = _words("电脑查询终端 自助查阅设备 政策文件查阅架 触摸查询屏 意见箱 政策咨询台")
_PEOPLE = _words("人大代表和政协委员 企业代表 社区居民代表 政务公开监督员 群众代表 专家学者")
_LEADERS = _words("主要负责同志 分管负责同志 党组书记 主要领导")

_MANAGEMENT = (
    "严格落实公开前{rev}制度，对拟公开信息逐条进行{rev2}，全年审核信息{n}条。",
    "在公文办理环节同步确定公开属性，从源头规范政府信息管理。",
    "动态更新政府信息公开指南和政府信息公开目录，确保公开事项与实际工作同步。",
    "开展{topic}领域文件专项清理，清理过时文件{n}件。",
    "建立健全{sys}，进一步明确各科室信息公开职责。",
    "对已公开信息开展常态化自查，及时更正{err}信息{n}条。",
    "规范政府信息公开申请办理流程，实行登记、审核、答复全流程台账管理。",
    "加强政府信息资源标准化管理，统一“{col}”栏目的信息发布格式。",
    "按照“谁制作、谁公开，谁获取、谁公开”原则，落实信息发布{rev}责任。",
    "完善政府信息动态调整机制，全年调整公开属性{n}条。",
    "修订完善{sys}，信息发布实行拟稿、审核、签发三级把关。",
    "组织各科室对照目录逐项梳理{topic}等公开事项，形成公开清单{n}项。",
    "落实政府信息公开保密审查“三审”制度，严防泄密和不当公开。",
    "将{topic}相关档案资料纳入信息资源目录统一管理，提升检索效率。",
)
_PLATFORM_SENTENCES = (
    "持续优化{pf}，调整完善“{col}”“{col2}”等栏目设置。",
    "加强政务新媒体管理，{pf2}全年发布信息{n}条。",
    "推进{pf}集约化建设，实现信息统一发布、数据互联共享。",
    "在政务服务大厅设置政务公开专区，配备{dev}，为群众提供政策查询服务。",
    "规范公开栏建设，全年更新公开内容{n}期。",
    "开展网站和新媒体常态化巡查，全年巡查{n}次，整改问题{m}个。",
    "完善{pf}无障碍和适老化功能，提升群众浏览体验。",
    "通过“{col}”专栏集中公开{topic}信息，栏目访问量达{n}人次。",
    "利用{pf2}开设{topic}专题，推送政策信息{n}期。",
    "落实政府网站与政务新媒体监管要求，{pf}信息更新及时准确。",
    "对{pf2}进行改版升级，新增智能问答、在线留言等功能。",
    "推动{pf}与{pf2}联动发布，扩大政策信息传播覆盖面。",
)
_ACTIVE_SENTENCES = (
    "全年通过{pf}主动公开政府信息{n}条，其中{topic}相关信息{m}条。",
    "围绕{topic}、{topic2}等群众关注事项，及时发布{info}{n}条。",
    "在{pf}“{col}”栏目集中公开{doc}{n}件，方便公众查阅。",
    "坚持政策文件与解读材料同步起草、同步审签、同步发布，全年发布{interp}{n}篇。",
    "聚焦{focus}，主动公开{info}，推动{topic}信息应公开尽公开。",
    "对{topic}等领域信息实行清单化管理，累计更新“{col}”栏目信息{n}条。",
    "通过{interp}、{interp2}等方式解读{topic}政策{n}次，提升政策知晓度。",
    "按时公开部门预决算和“三公”经费等财政信息，公开{doc}{n}份。",
    "严格落实行政执法公示制度，公开行政处罚决定{pen}件、行政许可决定{lic}件。",
    "依法公开重大行政决策事项{n}项，决策前通过{chan}广泛征求意见{m}条。",
    "主动回应社会关切，发布{topic}相关回应信息{n}条，通过{chan}收集的意见建议均已反馈。",
    "全面梳理主动公开事项，更新主动公开基本目录，新增{topic}等公开事项{n}项。",
    "依托{pf}开设“{col}”专题，集中展示{topic}工作进展。",
    "围绕{focus}，公开{topic2}相关{doc}{n}件，同步推送{info}。",
)
_APPLY_RECEIVED = ("全年共收到政府信息公开申请{a1}件。", "{y}年共新收政府信息公开申请{a1}件。",
                   "本年度受理政府信息公开申请{a1}件。", "全年共接收政府信息公开申请{a1}件。",
                   "{y}年度，{self}共收到政府信息公开申请{a1}件。")
_APPLY_PROCESS = (
    "严格按照法定时限办理，依法保障申请人合理信息需求。",
    "进一步规范依申请公开受理、审核、答复流程，做到件件有登记、事事有回音。",
    "对申请内容不明确的，及时告知申请人补正，提升办理质量。",
    "建立疑难申请会商机制，必要时征求法律顾问意见。",
    "加强与申请人的沟通，主动了解申请人的实际需求。",
    "答复文书统一使用规范文本，载明救济途径和期限。",
    "定期分析依申请公开办理情况，将申请较集中的{topic}信息转为主动公开。",
    "依申请公开工作实行专人负责、限时办结。",
    "对涉及第三方权益的申请，依法书面征求第三方意见。",
    "利用信息化手段对申请办理全流程跟踪督办，确保按期答复。",
)
_SUPERVISION = (
    "组织政务公开业务培训{n}次，参训{m}人次。",
    "调整充实政务公开工作领导小组，由{lead}任组长。",
    "主动接受{people}监督，认真听取意见建议。",
    "建立政务公开工作月调度机制，及时研究解决工作中的问题。",
    "选派业务骨干参加上级组织的政务公开专题培训{n}次。",
    "落实政务公开工作责任制，明确专人负责信息公开工作。",
    "将政务公开纳入干部教育培训内容，提升工作人员业务能力。",
    "聘请{people}担任政务公开监督员，定期开展监督检查。",
)
_ASSESS = ("将政务公开工作纳入年度绩效考核，考核分值{n}分", "把政府信息公开工作列入年度目标考核",
           "落实政务公开考核制度，每季度通报考核情况", "将政务公开工作纳入科室年度考核评价",
           "按照上级政务公开考核指标逐项自查落实", "建立政务公开工作考核台账")
_RATING = ("通过{chan}开展社会评议，群众满意度达{p}%", "邀请{people}对政务公开工作进行社会评议",
           "开展政务公开满意度测评，收集意见建议{n}条", "在{pf}开设社会评议专栏，接受群众评价",
           "组织群众代表开展政务公开社会评议活动{n}次")
_ACCOUNT = ("全年未发生政府信息公开工作责任追究情况", "未出现因政务公开工作不到位被问责的情况",
            "全年无追责问责事项", "本年度未发生责任追究事件", "全年未发生因政府信息公开工作被追责的情况")
_INTRO_OPEN = ("在{up}的坚强领导下", "在{up}的指导下", "在政务公开领导小组的统筹推动下", "紧紧围绕全年中心工作",
               "坚持以人民为中心的发展思想", "按照{up}的部署要求", "立足职能职责")
_INTRO_LAW = ("认真贯彻落实《中华人民共和国政府信息公开条例》", "深入贯彻落实《中华人民共和国政府信息公开条例》和上级政务公开工作部署",
              "严格执行《中华人民共和国政府信息公开条例》", "全面落实《中华人民共和国政府信息公开条例》各项要求",
              "以贯彻落实《中华人民共和国政府信息公开条例》为主线")
_INTRO_PRINCIPLE = ("坚持以公开为常态、不公开为例外", "坚持依法公开、真实公正、注重实效、有利监督",
                    "聚焦群众关切和企业需求", "围绕{focus}工作大局", "坚持公开与服务相结合")
_INTRO_GOAL = ("持续提升政务公开质量和实效", "不断增强工作透明度", "切实保障人民群众知情权、参与权、表达权和监督权",
               "推动政务公开工作提质增效", "为{focus}营造了良好环境", "有力推进了{focus}工作")
_HEADINGS = (("（一）主动公开", "（一）主动公开情况", "（一）主动公开政府信息"),
             ("（二）依申请公开", "（二）依申请公开情况", "（二）依申请公开办理"),
             ("（三）政府信息管理", "（三）政府信息管理情况", "（三）加强政府信息管理"),
             ("（四）政府信息公开平台建设", "（四）政府信息公开平台建设情况", "（四）加强政府信息公开平台建设"),
             ("（五）监督保障", "（五）监督保障情况", "（五）强化监督保障"))
_PROBLEMS = _words("""政策解读形式较为单一，图解、视频等形式运用不够 部分栏目信息更新不够及时 公开内容与群众需求结合不够紧密
    业务人员专业能力有待提高 依申请公开答复文书规范性有待加强 政务新媒体互动回应不够及时 重点领域信息公开深度不够
    基层政务公开标准化规范化水平不高 信息发布审核把关还需加强 主动公开目录梳理还不够细致 政策解读的针对性和可读性不强
    公开平台的检索功能不够便捷 公众参与渠道还不够丰富 信息公开与政务服务融合不够 部分信息公开存在格式不统一的问题
    公开工作人员流动较大，工作衔接不够顺畅 对公开工作的宣传引导不够 政策文件公开后的跟踪评估不足 数据开放的范围还比较有限
    回应社会关切的主动性有待提升 部分科室对公开工作重视程度不够 公开栏等线下渠道利用不充分 办事指南要素不够完整
    信息公开考核结果运用不充分 档案资料电子化程度不高 重大决策预公开覆盖面不够广 历史信息整理归档不及时""")
_FIXES = _words("""建立栏目更新周检查制度 制定政策解读工作规范 开展专题业务培训 完善信息发布三级审核流程 修订主动公开目录
    引入图解和短视频解读 建立依申请公开文书范本 明确新媒体留言回复时限 开展重点领域信息公开专项检查 优化网站检索功能
    增设政策咨询专线 建立信息公开工作交接清单 将公开工作纳入科室考核 完善办事指南要素 开展历史信息集中整理""")
_MEASURES = _words("""丰富政策解读形式，提高图解、视频解读比例 加强业务培训，每半年至少组织一次政务公开专题培训
    健全栏目日常巡检机制，确保信息及时更新 围绕群众关切拓展公开内容 规范依申请公开答复文书 提升政务新媒体互动回应水平
    深化重点领域信息公开 推进基层政务公开标准化规范化建设 严格落实信息发布审核制度 细化主动公开目录
    增强政策解读的针对性和可读性 优化公开平台检索功能 拓宽公众参与渠道 推动政务公开与政务服务深度融合
    统一信息发布格式 建立公开工作交接机制 加大政务公开宣传力度 开展政策执行效果评估 稳步扩大数据开放范围
    主动回应社会关切 压实各科室公开责任 用好公开栏等线下渠道 完善办事指南要素 强化考核结果运用 加快档案资料电子化
    扩大重大决策预公开覆盖面 及时整理归档历史信息""")
_PROBLEM_INTRO = ("{y}年，{self}政府信息公开工作取得了一定成效，但仍存在一些不足：",
                  "对照《条例》要求，{self}政府信息公开工作还存在一些问题：", "回顾{y}年工作，仍存在以下问题：",
                  "{self}政府信息公开工作虽有进步，但与群众期待相比还有差距：",
                  "本年度政府信息公开工作存在的主要问题有：", "工作中也发现了一些薄弱环节：")
_FIX_SENTENCE = ("针对上年度报告中提出的{prev}问题，{self}{fix}，已整改落实。",
                 "对上一年度报告指出的{prev}问题，已通过{fix}完成整改。",
                 "上年度报告所列{prev}问题，{self}已{fix}，整改工作已落实到位。",
                 "去年发现的{prev}问题，经{fix}已整改解决。")
_MEASURE_INTRO = ("下一步，{self}将重点做好以下工作：", "针对上述问题，{self}将采取以下改进措施：",
                  "{y1}年，{self}将着力从以下方面改进：", "改进措施：", "为此，{self}将从以下方面加以改进：")
_FEE_NONE = ("本年度未收取信息处理费。", "{y}年度，{self}未收取政府信息公开信息处理费。",
             "本机关全年未向申请人收取信息处理费。",
             "按照《政府信息公开信息处理费管理办法》规定，本年度无收取信息处理费情况。")
_FEE_PAID = ("依据《政府信息公开信息处理费管理办法》，本年度收取信息处理费{n}元。",
             "本年度按规定收取信息处理费{n}元，已全额上缴国库。")
_OTHER_MATTERS = (
    "本年度办理人大代表建议{n}件、政协委员提案{m}件，办理结果均已公开。",
    "全年政务公开工作要点明确的{n}项任务均已落实。",
    "本年度无其他需要报告的事项。",
    "{self}持续推进{topic}领域基层政务公开标准化规范化工作。",
    "全年开展政府开放日活动{n}次，邀请群众走进机关。",
    "本年度未发现违规公开个人信息的情况。",
    "按照{up}部署，{self}完成了政务公开工作自查评估。",
    "本年度组织开展“政务公开日”活动{n}次。",
)
_PREAMBLE_BASIS = ("本报告依据《中华人民共和国政府信息公开条例》和《中华人民共和国政府信息公开工作年度报告格式》"
                   "（国办公开办函〔2021〕30号）编制，由{agency}编写。",
                   "根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和国务院办公厅政府信息与政务公开办公室"
                   "有关要求，{agency}编制了本年度报告。",
                   "本报告由{agency}根据《中华人民共和国政府信息公开条例》和《中华人民共和国政府信息公开工作年度报告格式》"
                   "要求编制。")
_PREAMBLE_PARTS = ("全文由总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议行政诉讼情况、"
                   "存在的主要问题及改进情况、其他需要报告的事项六部分组成。")
_PERIOD = ("本报告所列数据的统计期限为{y}年1月1日至{y}年12月31日。",
           "本报告中所列数据的统计期限自{y}年1月1日起至{y}年12月31日止。",
           "报告中所列数据统计时限为{y}年1月1日至{y}年12月31日。")
_CONTACT = ("本报告电子版可在{pf}查阅或下载。如对本报告有疑问，请与{agency}联系（地址：{addr}；邮编：{zip}；电话：{tel}）。",
            "如对本报告有任何疑问，请联系{agency}（电话：{tel}；地址：{addr}）。", "")


# ==== structure: districts and agencies ==========================================================

@dataclass
class Agency:
    name: str
    slug: str
    kind: str                        # manifest agency_kind: department / subdistrict / township / government
    self_ref: str                    # how the report refers to its agency: 我局, 我街道, 我区 …
    topics: tuple[str, ...]
    platforms: tuple[str, str]
    rates: tuple[float, ...]         # applications, 许可, 处罚, 强制, 规范性文件
    district: "District"
    aggregate: bool = False


@dataclass
class District:
    index: int
    city: str
    name: str                        # 青山市东湖区
    short: str                       # 东湖区
    components: list[Agency] = field(default_factory=list)
    aggregate: Agency | None = None


def _self_ref(name: str) -> str:
    for suffix, ref in (("街道办事处", "我街道"), ("镇人民政府", "我镇"), ("人民政府", "我区"), ("委员会", "我委"),
                        ("办公室", "我办"), ("局", "我局")):
        if name.endswith(suffix):
            return ref
    return "本机关"


def _agency(rng: random.Random, district: District, code: str, unit: str, topics: str, rates: tuple[float, ...],
            kind: str, aggregate: bool = False) -> Agency:
    s = district.short[:-1]
    platforms = tuple(p.format(d=district.short, s=s) for p in rng.sample(_PLATFORMS, 2))
    scale = rng.uniform(0.5, 2.0)
    name = f"{district.name}{unit}"
    return Agency(name, f"d{district.index:03d}-{code}", kind, _self_ref(name), tuple(topics.split()), platforms,
                  tuple(r * scale for r in rates), district, aggregate)


def _districts(rng: random.Random, slots: int) -> list[District]:
    """Districts whose agencies (components and one aggregate each) fill `slots` agency slots."""
    count = max(2, round(slots / 25))
    sizes = [slots // count + (i < slots % count) for i in range(count)]
    cities = [a + b for a in _CITY_1 for b in _CITY_2 if a != b]
    rng.shuffle(cities)
    districts: list[District] = []
    used: set[str] = set()
    for index, size in enumerate(sizes):
        city = cities[index // 4] + "市"
        short = ""
        while not short or city + short in used or short[0] == short[1]:
            short = rng.choice(_DISTRICT_1) + rng.choice(_DISTRICT_2) + "区"
        used.add(city + short)
        district = District(index, city, city + short, short)
        wanted = size - 1                           # one slot for the aggregate
        streets = min(wanted // 6 + rng.randint(0, 2), len(_STREET))
        towns = rng.randint(0, 3) if wanted > 12 else 0
        departments = max(0, wanted - 1 - streets - towns)
        while departments > len(_DEPARTMENTS):
            departments -= 1
            streets += 1
        comps = [_agency(rng, district, _OFFICE[0], *_OFFICE[1:3], _OFFICE[3:], "department")] if wanted else []
        for dept in sorted(rng.sample(_DEPARTMENTS, departments), key=_DEPARTMENTS.index):
            comps.append(_agency(rng, district, dept[0], dept[1], dept[2], dept[3:], "department"))
        for i, street in enumerate(rng.sample(_STREET, streets)):
            comps.append(_agency(rng, district, f"jd{i + 1:02d}", f"{street}街道办事处", _SUBDISTRICT_TOPICS,
                                 (2, 0, 30, 2, 0.3), "subdistrict"))
        for i, town in enumerate(rng.sample(_TOWN, towns)):
            comps.append(_agency(rng, district, f"zh{i + 1:02d}", f"{town}镇人民政府", _TOWN_TOPICS,
                                 (2, 20, 15, 1, 0.3), "township"))
        district.components = comps[:wanted]
        district.aggregate = _agency(rng, district, "qu", "人民政府", " ".join(_GENERAL_TOPICS), (0,) * 5,
                                     "government", aggregate=True)
        districts.append(district)
    return districts


# ==== numbers =====================================================================================

def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


@dataclass
class Constraint:
    """What a plant needs from one agency-year's numbers."""

    target_c: dict[str, int] | None = None     # carry-over to next year, fixed (a later copy must chain)
    target_valid: int | None = None            # NORM.VALID, fixed
    stationary: bool = False                   # C = A2 and MADE = REPEALED: next year's copy still chains
    min_carry: bool = False                    # C.NP ≥ 1 (next year's A2.NP can be lowered)
    min_handled: bool = False                  # B7.NP ≥ 1 (a handled NP application can be removed)
    valid_floor: int = 0                       # NORM.VALID never below (can be lowered later)


def _finish(t: Tables) -> Tables:
    """Recompute B7, the TOT column and the review/litigation totals from the other cells."""
    for col in COLS:
        t[f"B7.{col}"] = sum(t[f"{row}.{col}"] for row in OUTCOMES)
    for row in APP_ROWS:
        t[f"{row}.TOT"] = sum(t[f"{row}.{col}"] for col in COLS)
    for group in GROUPS:
        t[f"{group}.TOT"] = sum(t[f"{group}.{r}"] for r in RESULTS)
    return t


def _year_tables(rng: random.Random, agency: Agency, prev_c: dict[str, int], prev_valid: int,
                 con: Constraint) -> Tables:
    lam, lic, pen, coe, norm = agency.rates
    lam = max(lam, 2.0)                 # an agency without any application is rare (CELL-004)
    t: Tables = {}
    carry_share = rng.uniform(0.0, 0.15)
    for col, share in zip(COLS, (1, 0.2, 0.03, 0.03, 0.06, 0.05)):
        a2 = prev_c[col]
        a1 = _poisson(rng, lam * share * rng.uniform(0.6, 1.4))
        if con.target_c is not None:
            c = con.target_c[col]
        elif con.stationary:
            c = a2
        else:
            c = sum(rng.random() < carry_share for _ in range(a1 + a2))
        if col == "NP" and con.min_carry:
            c = max(c, 1)
        if col == "NP" and con.min_handled:
            a1 = max(a1, c - a2 + 1)
        a1 = max(a1, c - a2)
        t[f"A1.{col}"], t[f"A2.{col}"], t[f"C.{col}"] = a1, a2, c
        counts = dict.fromkeys(OUTCOMES, 0)
        for row in rng.choices(OUTCOMES, _OUTCOME_WEIGHTS, k=a1 + a2 - c):
            counts[row] += 1
        for row, value in counts.items():
            t[f"{row}.{col}"] = value
    for key in ("REG.MADE", "REG.REPEALED", "REG.VALID"):
        t[key] = 0                      # district agencies make no 规章
    made = _poisson(rng, norm)
    repealed = min(_poisson(rng, norm * 0.6), max(0, prev_valid + made - con.valid_floor))
    if con.stationary:
        repealed = made
    elif con.target_valid is not None:
        diff = con.target_valid - prev_valid
        made, repealed = (diff + repealed, repealed) if diff >= 0 else (made, made - diff)
        if con.target_valid == 0 and made == 0:
            made, repealed = 1, repealed + 1
    elif prev_valid + made - repealed == 0 and made == 0:
        repealed = 0                    # ARITH-008: no repeal of the last document without a word
    t["NORM.MADE"], t["NORM.REPEALED"], t["NORM.VALID"] = made, repealed, prev_valid + made - repealed
    for row, rate in zip(DEC_ROWS, (lic, pen, coe)):
        t[f"{row}.DEC"] = _poisson(rng, rate * rng.uniform(0.7, 1.3))
    t["PEN.DEC"] = max(t["PEN.DEC"], 1 if not any(t[f"{r}.DEC"] for r in DEC_ROWS) else 0)
    t["FEE.AMOUNT"] = rng.randint(5, 8000) if lic > 50 and rng.random() < 0.3 else 0
    reviews = _poisson(rng, lam / 12)
    # 复议后起诉 only where there was a 复议 (ARITH-009)
    totals = {"RV": reviews, "LD": _poisson(rng, lam / 36), "LR": _poisson(rng, 0.4) if reviews else 0}
    for group, total in totals.items():
        counts = dict.fromkeys(RESULTS, 0)
        for result in rng.choices(RESULTS, (60, 10, 15, 15), k=total):
            counts[result] += 1
        for result, value in counts.items():
            t[f"{group}.{result}"] = value
    return _finish(t)


def _series(agency: Agency, seed: int, cons: dict[tuple[str, int], Constraint], fixed: dict[int, Tables],
            repeat: int | None = None) -> dict[int, Tables]:
    """An agency's tables for every year, chained; `fixed` years are given (a copy of another agency's
    report), the `repeat` year is last year's tables again (a copy of its own report)."""
    rng = random.Random(f"{seed}:{agency.slug}:numbers")
    lam = agency.rates[0]
    prev_c = {col: _poisson(rng, lam * share * 0.08) for col, share in zip(COLS, (1, 0.2, 0.03, 0.03, 0.06, 0.05))}
    floor = cons.get((agency.slug, YEARS[0]), Constraint()).valid_floor
    prev_valid = max(floor, _poisson(rng, agency.rates[4] * 6 + 2))
    out: dict[int, Tables] = {}
    for year in YEARS:
        if year in fixed:
            t = dict(fixed[year])
        elif year == repeat:
            t = dict(out[year - 1])
        else:
            t = _year_tables(rng, agency, prev_c, prev_valid, cons.get((agency.slug, year), Constraint()))
            if year - 1 in out and t == out[year - 1]:
                t["PEN.DEC"] += 1       # identical tables two years running would read as a copy
        out[year] = t
        prev_c = {col: t[f"C.{col}"] for col in COLS}
        prev_valid = t["NORM.VALID"]
    return out


# ==== text ========================================================================================

def _fee(cents: int) -> str:
    whole, frac = divmod(cents, 100)
    return f"{whole}.{frac:02d}".rstrip("0").rstrip(".") if frac else str(whole)


def _table_text(t: Tables) -> tuple[str, str, str]:
    disclosure = "\n".join((
        "第二十条第（一）项 |", "信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |",
        f"规章 | {t['REG.MADE']} | {t['REG.REPEALED']} | {t['REG.VALID']} |",
        f"行政规范性文件 | {t['NORM.MADE']} | {t['NORM.REPEALED']} | {t['NORM.VALID']} |",
        "第二十条第（五）项 |", "信息内容 | 本年处理决定数量 |", f"行政许可 | {t['LIC.DEC']} |",
        "第二十条第（六）项 |", "信息内容 | 本年处理决定数量 |", f"行政处罚 | {t['PEN.DEC']} |",
        f"行政强制 | {t['COE.DEC']} |", "第二十条第（八）项 |", "信息内容 | 本年收费金额（单位：万元） |",
        f"行政事业性收费 | {_fee(t['FEE.AMOUNT'])} |"))
    labels = {
        "A1": "一、本年新收政府信息公开申请数量", "A2": "二、上年结转政府信息公开申请数量",
        "B1": "三、本年度办理结果 | （一）予以公开", "B2": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
        "B3_1": "（三）不予公开 | 1.属于国家秘密", "B3_2": "2.其他法律行政法规禁止公开", "B3_3": "3.危及“三安全一稳定”",
        "B3_4": "4.保护第三方合法权益", "B3_5": "5.属于三类内部事务信息", "B3_6": "6.属于四类过程性信息",
        "B3_7": "7.属于行政执法案卷", "B3_8": "8.属于行政查询事项", "B4_1": "（四）无法提供 | 1.本机关不掌握相关政府信息",
        "B4_2": "2.没有现成信息需要另行制作", "B4_3": "3.补正后申请内容仍不明确",
        "B5_1": "（五）不予处理 | 1.信访举报投诉类申请", "B5_2": "2.重复申请", "B5_3": "3.要求提供公开出版物",
        "B5_4": "4.无正当理由大量反复申请", "B5_5": "5.要求行政机关确认或重新出具已获取信息",
        "B6_1": "（六）其他处理 | 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        "B6_2": "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "B6_3": "3.其他",
        "B7": "（七）总计", "C": "四、结转下年度继续办理"}
    applications = "\n".join((
        "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） | 申请人情况 |",
        "自然人 | 法人或其他组织 | 总计 |", "商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 |",
        *(f"{labels[row]} | " + " | ".join(str(t[f"{row}.{col}"]) for col in (*COLS, "TOT")) + " |"
          for row in APP_ROWS)))
    heads = " | ".join(("结果维持", "结果纠正", "其他结果", "尚未审结", "总计") * 3)
    review = "\n".join(("行政复议 | 行政诉讼 |", "未经复议直接起诉 | 复议后起诉 |", heads + " |",
                        " | ".join(str(t[f"{g}.{r}"]) for g in GROUPS for r in (*RESULTS, "TOT")) + " |"))
    return disclosure, applications, review


@dataclass
class Narrative:
    """The report's text and what the next year's report refers back to."""

    text: str
    section5: str
    problems: list[str]


@dataclass
class _Writer:
    """Fills fragment templates for one report; `template` makes every member of a mass copy alike."""

    agency: Agency
    year: int
    t: Tables
    seed: str
    self_ref: str
    template: bool = False

    def rng(self, part: str) -> random.Random:
        return random.Random(f"{self.seed}:{part}")

    def fill(self, rng: random.Random, pattern: str) -> str:
        a = self.agency
        topics = (*a.topics, *_GENERAL_TOPICS[:8])
        values = {
            "self": self.self_ref, "y": self.year, "y1": self.year + 1, "up": f"{a.district.short}委、区政府" if not
            a.aggregate else f"{a.district.city}委、市政府", "topic": rng.choice(a.topics), "topic2": rng.choice(topics),
            "pf": a.platforms[0], "pf2": a.platforms[1], "col": rng.choice(_COLUMNS), "col2": rng.choice(_COLUMNS),
            "info": rng.choice(_INFO), "doc": rng.choice(_DOCS), "interp": rng.choice(_INTERP),
            "interp2": rng.choice(_INTERP), "chan": rng.choice(_CHANNELS), "focus": rng.choice(_FOCUS),
            "rev": rng.choice(_REVIEWS), "rev2": rng.choice(_REVIEWS), "sys": rng.choice(_SYSTEMS),
            "err": rng.choice(_ERRORS), "dev": rng.choice(_DEVICES), "people": rng.choice(_PEOPLE),
            "lead": rng.choice(_LEADERS), "n": rng.randint(2, 400), "m": rng.randint(1, 60), "p": rng.randint(90, 99),
            "pen": self.t["PEN.DEC"], "lic": self.t["LIC.DEC"]}
        return pattern.format(**values)

    def pick(self, rng: random.Random, pool: tuple[str, ...], k: int) -> str:
        return "".join(self.fill(rng, p) for p in rng.sample(pool, k))

    def section1(self) -> str:
        rng = self.rng("s1")
        intro = (f"{self.year}年，{self.agency.name}" + "，".join(self.fill(rng, rng.choice(pool)) for pool in (
            _INTRO_OPEN, _INTRO_LAW, _INTRO_PRINCIPLE, _INTRO_GOAL)) + "。")
        heads = [rng.choice(h) for h in _HEADINGS]
        active = self.pick(rng, _ACTIVE_SENTENCES, rng.randint(2, 3))
        if self.t["NORM.MADE"] and not self.template and rng.random() < 0.5:
            active += f"制发行政规范性文件{self.t['NORM.MADE']}件，全部在{self.agency.platforms[0]}公开。"
        body = [intro, f"{heads[0]}。{active}", f"{heads[1]}。{self.applications(rng)}",
                f"{heads[2]}。{self.pick(rng, _MANAGEMENT, rng.randint(2, 3))}",
                f"{heads[3]}。{self.pick(rng, _PLATFORM_SENTENCES, rng.randint(2, 3))}",
                f"{heads[4]}。{self.pick(rng, _SUPERVISION, rng.randint(1, 2))}" + "，".join(
                    self.fill(rng, rng.choice(pool)) for pool in (_ASSESS, _RATING, _ACCOUNT)) + "。"]
        return "\n".join(body)

    def applications(self, rng: random.Random) -> str:
        t = self.t
        a1, a2, b7, c = t["A1.TOT"], t["A2.TOT"], t["B7.TOT"], t["C.TOT"]
        rv, lit = t["RV.TOT"], t["LD.TOT"] + t["LR.TOT"]
        received = rng.choice(_APPLY_RECEIVED).format(a1=a1, y=self.year, self=self.self_ref)
        parts = []
        if self.template:
            parts.append(f"{received}上年结转申请{a2}件，本年度办结{b7}件，结转下年度继续办理{c}件。"
                         f"因政府信息公开被申请行政复议{rv}件，被提起行政诉讼{lit}件。")
        else:
            if a1 == 0:
                parts.append(rng.choice(("全年未收到政府信息公开申请。", "本年度未收到政府信息公开申请。")))
            else:
                parts.append(received)
            if a2:
                parts.append(f"上年结转申请{a2}件。")
            elif a1:
                parts.append(rng.choice(("无上年结转申请。", "上年结转申请0件。")))
            if b7:
                parts.append(rng.choice(("本年度办结{n}件", "全年办结{n}件", "依法答复{n}件")).format(n=b7))
                parts.append(f"，结转下年度继续办理{c}件。" if c else "，无结转下年度办理的申请。")
                outcome = (f"予以公开{t['B1.TOT']}件，部分公开{t['B2.TOT']}件，"
                           f"不予公开{sum(t[f'{r}.TOT'] for r in OUTCOMES if r.startswith('B3'))}件，"
                           f"无法提供{sum(t[f'{r}.TOT'] for r in OUTCOMES if r.startswith('B4'))}件，"
                           f"不予处理{sum(t[f'{r}.TOT'] for r in OUTCOMES if r.startswith('B5'))}件，"
                           f"其他处理{sum(t[f'{r}.TOT'] for r in OUTCOMES if r.startswith('B6'))}件。")
                if t["B1.TOT"] and rng.random() < 0.3:
                    outcome = f"予以公开{t['B1.TOT']}件，占{100 * t['B1.TOT'] / b7:.1f}%；" + outcome.split("，", 1)[1]
                parts.append("从办理结果看，" + outcome)
            if rv + lit == 0:
                parts.append(rng.choice(("全年未发生因政府信息公开引起的行政复议、行政诉讼。",
                                         "本年度未发生政府信息公开行政复议和行政诉讼案件。")))
            else:
                parts.append(f"因政府信息公开被申请行政复议{rv}件，被提起行政诉讼{lit}件。")
        parts.append(self.pick(rng, _APPLY_PROCESS, rng.randint(1, 2)))
        return "".join(parts)

    def section5(self, prev_problems: list[str]) -> tuple[str, list[str]]:
        rng = self.rng("s5")
        problems = rng.sample(_PROBLEMS, rng.randint(2, 3))
        ordinals = "一二三"
        listed = "；".join(f"{ordinals[i]}是{p}" for i, p in enumerate(problems)) + "。"
        fix = rng.choice(_FIX_SENTENCE).format(prev=f"“{rng.choice(prev_problems)}”", self=self.self_ref,
                                               fix=rng.choice(_FIXES))
        measures = "；".join(f"{ordinals[i]}是{m}" for i, m in enumerate(rng.sample(_MEASURES, rng.randint(2, 3))))
        head = rng.choice(_PROBLEM_INTRO).format(y=self.year, self=self.self_ref)
        tail = rng.choice(_MEASURE_INTRO).format(y1=self.year + 1, self=self.self_ref)
        return f"{head}{listed}{fix}\n{tail}{measures}。", problems

    def section6(self) -> str:
        rng = self.rng("s6")
        if not self.template and self.t["LIC.DEC"] > 100 and rng.random() < 0.1:
            fee = rng.choice(_FEE_PAID).format(n=rng.randint(10, 300))
        else:
            fee = rng.choice(_FEE_NONE).format(y=self.year, self=self.self_ref)
        return fee + self.pick(rng, _OTHER_MATTERS, rng.randint(1, 2))

    def preamble(self) -> str:
        rng = self.rng("pre")
        a = self.agency
        parts = [rng.choice(_PREAMBLE_BASIS).format(agency=a.name)]
        if rng.random() < 0.5:
            parts.append(_PREAMBLE_PARTS)
        parts.append(rng.choice(_PERIOD).format(y=self.year))
        road = rng.choice(_STREET) + rng.choice(("路", "大道", "街"))
        parts.append(rng.choice(_CONTACT).format(
            pf=a.platforms[0], agency=a.name, addr=f"{a.district.name}{road}{rng.randint(1, 300)}号",
            zip=f"{rng.randint(100, 800)}{rng.randint(0, 999):03d}",
            tel=f"0{rng.randint(300, 999)}-{rng.randint(2000000, 8999999)}"))
        return "".join(parts)


def _narrative(writer: _Writer, prev_problems: list[str], section5: str | None = None) -> Narrative:
    """The report's full text; `section5` replaces the written section 五 (a copy)."""
    problems: list[str] = []
    if section5 is None:
        section5, problems = writer.section5(prev_problems)
    disclosure, applications, review = _table_text(writer.t)
    text = "\n".join((
        f"{writer.agency.name}{writer.year}年政府信息公开工作年度报告", "", writer.preamble(), "",
        "一、总体情况", writer.section1(), "", "二、主动公开政府信息情况", disclosure, "",
        "三、收到和处理政府信息公开申请情况", applications, "", "四、政府信息公开行政复议、行政诉讼情况", review, "",
        "五、存在的主要问题及改进情况", section5, "", "六、其他需要报告的事项", writer.section6(), ""))
    return Narrative(text, section5, problems or prev_problems)


_YEAR_TOKEN = re.compile(r"(?<!\d)(20[0-9]{2})(?=\s*年)")


def _shift_years(text: str) -> str:
    """A copy of last year's text as a lazy clerk makes it: every year one later."""
    return _YEAR_TOKEN.sub(lambda m: str(int(m.group(1)) + 1), text)


# ==== plants ======================================================================================

@dataclass
class _Plan:
    """Which agencies carry which plant (each agency at most one), decided before any number is drawn."""

    carry: list[tuple[Agency, Agency, int]] = field(default_factory=list)        # (plus, minus, year)
    stock: list[tuple[Agency, Agency, int]] = field(default_factory=list)
    section5: list[tuple[Agency, int]] = field(default_factory=list)
    repeat: list[tuple[Agency, int]] = field(default_factory=list)
    peer: list[tuple[Agency, Agency, int]] = field(default_factory=list)         # (copy, source, year)
    cluster: list[Agency] = field(default_factory=list)
    cluster_year: int = 2023
    aggregate: list[tuple[Agency, int]] = field(default_factory=list)


def _plan(rng: random.Random, districts: list[District], n: int) -> _Plan:
    count = max(2, round(n / 100))
    plan = _Plan()
    free = {a.slug: a for d in districts for a in d.components}

    def take(pool: list[Agency]) -> Agency:
        agency = rng.choice(pool)
        del free[agency.slug]
        return agency

    def in_district(district: District) -> list[Agency]:
        return [a for a in district.components if a.slug in free]

    for pairs in (plan.carry, plan.stock):
        for _ in range(math.ceil(count / 2)):
            district = rng.choice([d for d in districts if len(in_district(d)) >= 2])
            plus = take(in_district(district))
            pairs.append((plus, take(in_district(district)), rng.choice(YEARS[1:])))
    plan.section5 = [(take(list(free.values())), rng.choice(YEARS[1:])) for _ in range(count)]
    plan.repeat = [(take(list(free.values())), rng.choice(YEARS[1:])) for _ in range(count)]
    for _ in range(count):
        copy = take(list(free.values()))
        code = copy.slug.split("-", 1)[1]
        alike = [a for a in free.values() if a.slug.split("-", 1)[1] == code and a.kind == copy.kind]
        plan.peer.append((copy, take(alike or [a for a in free.values() if a.kind == copy.kind]
                                     or list(free.values())), rng.choice(YEARS)))
    plan.cluster_year = rng.choice(YEARS[1:])
    plan.cluster = [take(list(free.values())) for _ in range(min(250, max(3, n // 20), len(free)))]
    aggregates = [(d.aggregate, year) for d in districts for year in YEARS if d.aggregate is not None]
    plan.aggregate = rng.sample(aggregates, min(count, len(aggregates)))
    return plan


def _constraints(plan: _Plan) -> dict[tuple[str, int], Constraint]:
    cons: dict[tuple[str, int], Constraint] = {}
    for _, minus, year in plan.carry:
        cons[(minus.slug, year - 1)] = Constraint(min_carry=True)
        cons[(minus.slug, year)] = Constraint(min_handled=True)
    for _, minus, year in plan.stock:
        for y in YEARS:
            cons[(minus.slug, y)] = Constraint(valid_floor=5)
    for agency, year in plan.repeat:
        cons[(agency.slug, year - 1)] = Constraint(stationary=True)
    return cons


def _entry(agency: Agency, year: int, rule: str, detail: str, **extra: object) -> dict:
    return {"path": f"{year}/{agency.slug}.txt", "rule": rule, "detail": detail, **extra}


def _plant_carry(rng: random.Random, data: dict[str, dict[int, Tables]], plus: Agency, minus: Agency,
                 year: int) -> list[dict]:
    """One column of A2 raised in `plus` and lowered in `minus` (same district and year): each report
    stays consistent (a handled application added or removed), the district's sum still chains."""
    low = data[minus.slug][year]
    cols = [c for c in COLS if low[f"A2.{c}"] >= 1 and any(low[f"{r}.{c}"] >= 1 for r in OUTCOMES)]
    col = rng.choice(cols)
    high = data[plus.slug][year]
    high[f"A2.{col}"] += 1
    high[f"{rng.choice(OUTCOMES[:2])}.{col}"] += 1
    low[f"A2.{col}"] -= 1
    low[f"{rng.choice([r for r in OUTCOMES if low[f'{r}.{col}'] >= 1])}.{col}"] -= 1
    _finish(high)
    _finish(low)
    return [_entry(plus, year, "XREF-009", f"表三上年结转 A2.{col} 比{year - 1}年度结转下年度多 1 件"),
            _entry(minus, year, "XREF-009", f"表三上年结转 A2.{col} 比{year - 1}年度结转下年度少 1 件")]


def _plant_stock(rng: random.Random, data: dict[str, dict[int, Tables]], plus: Agency, minus: Agency,
                 year: int) -> list[dict]:
    """NORM.VALID off by d from `year` on (later years chain again), opposite in two agencies."""
    d = rng.randint(1, 3)
    for agency, sign in ((plus, d), (minus, -d)):
        for y in YEARS:
            if y >= year:
                data[agency.slug][y]["NORM.VALID"] += sign
    return [_entry(a, year, "XREF-010", f"表二行政规范性文件现行有效件数比{year - 1}年度加制发减废止{word} {d} 件")
            for a, word in ((plus, "多"), (minus, "少"))]


def _texts(seed: int, agencies: list[Agency], plan: _Plan,
           data: dict[str, dict[int, Tables]]) -> dict[tuple[str, int], str]:
    """Every report's text; copies are made from the texts they copy, so those come first."""
    repeat = {a.slug: year for a, year in plan.repeat}
    section5 = {a.slug: year for a, year in plan.section5}
    peer = {copy.slug: (source, year) for copy, source, year in plan.peer}
    cluster = {a.slug for a in plan.cluster}
    template_problems = random.Random(f"{seed}:cluster").sample(_PROBLEMS, 2)
    done: dict[tuple[str, int], Narrative] = {}
    for agency in sorted(agencies, key=lambda a: a.slug in peer):
        problems = random.Random(f"{seed}:{agency.slug}:problems").sample(_PROBLEMS, 2)
        for year in YEARS:
            t = data[agency.slug][year]
            if agency.slug in peer and peer[agency.slug][1] == year:
                source = peer[agency.slug][0]
                src = done[(source.slug, year)]
                narrative = Narrative(src.text.replace(source.name, agency.name), src.section5, src.problems)
            elif repeat.get(agency.slug) == year:
                last = done[(agency.slug, year - 1)]
                narrative = Narrative(_shift_years(last.text), _shift_years(last.section5), last.problems)
            elif agency.slug in cluster and year == plan.cluster_year:      # the first member's text as template
                writer = _Writer(replace(plan.cluster[0], name=agency.name), year, t, f"{seed}:cluster", "本机关",
                                 template=True)
                narrative = _narrative(writer, template_problems)
            else:
                writer = _Writer(agency, year, t, f"{seed}:{agency.slug}:{year}", agency.self_ref)
                copied = _shift_years(done[(agency.slug, year - 1)].section5) if section5.get(agency.slug) == year \
                    else None
                narrative = _narrative(writer, problems, copied)
            done[(agency.slug, year)] = narrative
            problems = narrative.problems
    return {key: narrative.text for key, narrative in done.items()}


def _published(rng: random.Random, agency: Agency, year: int) -> date:
    """Within the deadline: 1月31日 for departments, 街道 and 镇, 3月31日 for a 人民政府's own report."""
    if agency.kind == "government":
        return date(year + 1, 1, 10) + timedelta(days=rng.randint(0, 79))
    return date(year + 1, 1, rng.randint(5, 31))


def _text_plants(plan: _Plan) -> list[dict]:
    out = [_entry(a, year, "TEXT-005", f"第五部分照抄{year - 1}年度报告（仅年份不同）") for a, year in plan.section5]
    out += [_entry(a, year, "TEXT-006", f"全文照抄{year - 1}年度报告（三张表相同，仅年份不同）", also=["TEXT-005"])
            for a, year in plan.repeat]
    for copy, source, year in plan.peer:
        out.append(_entry(copy, year, "TEXT-006", f"照抄「{source.name}」同年度报告，仅改机关名称"))
        out.append(_entry(source, year, "TEXT-006", f"源报告：被「{copy.name}」照抄"))
    year = plan.cluster_year
    out += [_entry(a, year, "TEXT-006", f"{year}年度 {len(plan.cluster)} 份报告套用同一模板（仅机关名称和数字不同）")
            for a in plan.cluster]
    return out


def make_batch_corpus(out_dir: Path, n: int, seed: int = 1) -> CorpusInfo:
    """Write about `n` reports (one per agency and year, so a multiple of 4), manifest.csv and planted.json."""
    if n < MIN_REPORTS:
        raise ValueError(f"至少生成 {MIN_REPORTS} 份报告，才能容纳每类至少 2 处植入")
    out_dir = Path(out_dir)
    rng = random.Random(f"{seed}:plan")
    districts = _districts(rng, round(n / len(YEARS)))
    plan = _plan(rng, districts, n)
    cons = _constraints(plan)
    components = [a for d in districts for a in d.components]
    repeat = {a.slug: year for a, year in plan.repeat}
    copied = {copy.slug for copy, _, _ in plan.peer}
    data: dict[str, dict[int, Tables]] = {}
    for agency in components:
        if agency.slug not in copied:
            data[agency.slug] = _series(agency, seed, cons, {}, repeat.get(agency.slug))
    for copy, source, year in plan.peer:        # chained into the copied year: C and VALID lead up to it
        wanted = data[source.slug][year]
        if year > YEARS[0]:
            cons[(copy.slug, year - 1)] = Constraint(
                target_c={c: wanted[f"A2.{c}"] for c in COLS},
                target_valid=wanted["NORM.VALID"] - wanted["NORM.MADE"] + wanted["NORM.REPEALED"])
        data[copy.slug] = _series(copy, seed, cons, {year: wanted})
    planted: list[dict] = []
    for plus, minus, year in plan.carry:
        planted += _plant_carry(rng, data, plus, minus, year)
    for plus, minus, year in plan.stock:
        planted += _plant_stock(rng, data, plus, minus, year)
    aggregates = []
    for district in districts:
        assert district.aggregate is not None
        aggregates.append(district.aggregate)
        keys = data[district.components[0].slug][YEARS[0]]
        data[district.aggregate.slug] = {year: {key: sum(data[a.slug][year][key] for a in district.components)
                                                for key in keys} for year in YEARS}
    for agency, year in plan.aggregate:
        row, d = rng.choice(DEC_ROWS), rng.randint(1, 9)
        data[agency.slug][year][f"{row}.DEC"] += d
        planted.append(_entry(agency, year, "XREF-012", f"汇总报告表二 {row}.DEC 比各下级报告之和多 {d}"))
    planted += _text_plants(plan)
    texts = _texts(seed, components + aggregates, plan, data)

    paths: list[Path] = []
    rows = []
    for year in YEARS:
        (out_dir / str(year)).mkdir(parents=True, exist_ok=True)
        for agency in components + aggregates:
            relative = f"{year}/{agency.slug}.txt"
            path = out_dir / relative
            path.write_text(texts[(agency.slug, year)], encoding="utf-8")
            paths.append(path)
            district = agency.district
            parent = "" if agency.aggregate or district.aggregate is None else district.aggregate.name
            published = _published(random.Random(f"{seed}:{agency.slug}:{year}:published"), agency, year)
            rows.append((relative, agency.name, year, published.isoformat(), agency.kind, parent))
    manifest = out_dir / "manifest.csv"
    with open(manifest, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(("path", "agency", "year", "published", "agency_kind", "parent"))
        writer.writerows(rows)
    planted.sort(key=lambda e: (e["path"], e["rule"]))
    (out_dir / "planted.json").write_text(json.dumps(planted, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return CorpusInfo(paths, manifest, planted, len(components) + len(aggregates), len(districts))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--n", type=int, default=10000, help="number of reports (rounded to a multiple of 4)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.n < MIN_REPORTS:
        parser.error(f"--n 至少为 {MIN_REPORTS}")
    started = time.perf_counter()
    info = make_batch_corpus(args.out_dir, args.n, args.seed)
    kinds: dict[str, int] = {}
    for entry in info.planted:
        kinds[entry["rule"]] = kinds.get(entry["rule"], 0) + 1
    print(f"已生成 {len(info.paths)} 份报告（{info.districts} 个区，{info.agencies} 个机关 × {len(YEARS)} 年），"
          f"用时 {time.perf_counter() - started:.1f} 秒；清单 {info.manifest}")
    print("植入：" + "，".join(f"{rule} {count} 份" for rule, count in sorted(kinds.items())))


if __name__ == "__main__":
    main()
