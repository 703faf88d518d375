/**
 * Industry classes of GB/T 4754-2017 (section letter + four-digit class), a sample weighted by
 * how common such enterprises are, with the word a trade name in that industry usually carries.
 */
export interface Industry {
  readonly code: string;
  readonly title: string;
  readonly nameWord: string;
  readonly scope: string;
  readonly weight: number;
  /** How likely such an enterprise trades across the border. */
  readonly tradeLikelihood: number;
}

export const INDUSTRIES: readonly Industry[] = [
  { code: 'A0111', title: '稻谷种植', nameWord: '农业', scope: '谷物种植；农产品销售', weight: 2, tradeLikelihood: 0.02 },
  { code: 'C1391', title: '肉制品及副产品加工', nameWord: '食品', scope: '食品生产；食品销售', weight: 2, tradeLikelihood: 0.15 },
  { code: 'C1713', title: '棉印染精加工', nameWord: '纺织', scope: '面料印染加工；纺织品销售', weight: 2, tradeLikelihood: 0.4 },
  { code: 'C1810', title: '机织服装制造', nameWord: '服饰', scope: '服装制造；服装服饰批发', weight: 3, tradeLikelihood: 0.45 },
  { code: 'C2669', title: '其他专用化学产品制造', nameWord: '化工', scope: '专用化学产品制造（不含危险化学品）', weight: 2, tradeLikelihood: 0.35 },
  { code: 'C2710', title: '化学药品原料药制造', nameWord: '医药', scope: '药品生产；药品批发', weight: 1, tradeLikelihood: 0.3 },
  { code: 'C3130', title: '钢压延加工', nameWord: '钢铁', scope: '钢压延加工；金属材料销售', weight: 1, tradeLikelihood: 0.25 },
  { code: 'C3484', title: '机械零部件加工', nameWord: '机械', scope: '机械零件、零部件加工', weight: 3, tradeLikelihood: 0.35 },
  { code: 'C3670', title: '汽车零部件及配件制造', nameWord: '汽车配件', scope: '汽车零部件及配件制造', weight: 2, tradeLikelihood: 0.4 },
  { code: 'C3825', title: '光伏设备及元器件制造', nameWord: '新能源', scope: '光伏设备及元器件制造', weight: 1, tradeLikelihood: 0.5 },
  { code: 'C3911', title: '计算机整机制造', nameWord: '电子', scope: '计算机软硬件及外围设备制造', weight: 2, tradeLikelihood: 0.55 },
  { code: 'C3976', title: '光电子器件制造', nameWord: '光电', scope: '光电子器件制造；电子元器件批发', weight: 1, tradeLikelihood: 0.55 },
  { code: 'D4411', title: '火力发电', nameWord: '电力', scope: '发电业务、输电业务、供（配）电业务', weight: 1, tradeLikelihood: 0.01 },
  { code: 'E4701', title: '住宅房屋建筑', nameWord: '建设', scope: '建设工程施工；住宅室内装饰装修', weight: 5, tradeLikelihood: 0.01 },
  { code: 'E4813', title: '市政道路工程建筑', nameWord: '市政工程', scope: '市政设施管理；建设工程施工', weight: 3, tradeLikelihood: 0.01 },
  { code: 'F5137', title: '家用电器批发', nameWord: '电器', scope: '家用电器销售；日用百货销售', weight: 5, tradeLikelihood: 0.3 },
  { code: 'F5191', title: '互联网批发', nameWord: '电子商务', scope: '互联网销售（除销售需要许可的商品）', weight: 6, tradeLikelihood: 0.35 },
  { code: 'F5211', title: '百货零售', nameWord: '商贸', scope: '日用百货销售；针纺织品销售', weight: 8, tradeLikelihood: 0.12 },
  { code: 'F5261', title: '汽车新车零售', nameWord: '汽车销售', scope: '汽车新车销售；汽车零配件零售', weight: 2, tradeLikelihood: 0.08 },
  { code: 'G5430', title: '道路货物运输', nameWord: '物流', scope: '道路货物运输（不含危险货物）', weight: 4, tradeLikelihood: 0.15 },
  { code: 'G5821', title: '货物运输代理', nameWord: '国际货运代理', scope: '国际货物运输代理；报关业务', weight: 2, tradeLikelihood: 0.85 },
  { code: 'H6110', title: '旅游饭店', nameWord: '酒店管理', scope: '住宿服务；餐饮服务', weight: 2, tradeLikelihood: 0.01 },
  { code: 'H6210', title: '正餐服务', nameWord: '餐饮管理', scope: '餐饮服务；食品销售', weight: 5, tradeLikelihood: 0.01 },
  { code: 'I6410', title: '互联网接入及相关服务', nameWord: '网络科技', scope: '互联网信息服务；网络技术服务', weight: 4, tradeLikelihood: 0.05 },
  { code: 'I6513', title: '应用软件开发', nameWord: '软件', scope: '软件开发；信息技术咨询服务', weight: 7, tradeLikelihood: 0.06 },
  { code: 'I6531', title: '信息技术咨询服务', nameWord: '信息技术', scope: '信息技术咨询服务；数据处理服务', weight: 5, tradeLikelihood: 0.04 },
  { code: 'J6620', title: '货币金融服务', nameWord: '金融服务', scope: '金融信息服务（除许可业务外）', weight: 1, tradeLikelihood: 0.01 },
  { code: 'K7010', title: '房地产开发经营', nameWord: '置业', scope: '房地产开发经营；物业管理', weight: 3, tradeLikelihood: 0.01 },
  { code: 'L7212', title: '投资与资产管理', nameWord: '投资管理', scope: '以自有资金从事投资活动', weight: 4, tradeLikelihood: 0.02 },
  { code: 'L7241', title: '会计、审计及税务服务', nameWord: '财务咨询', scope: '财务咨询；税务服务', weight: 2, tradeLikelihood: 0.01 },
  { code: 'L7251', title: '广告业', nameWord: '文化传媒', scope: '广告设计、代理；广告发布', weight: 5, tradeLikelihood: 0.03 },
  { code: 'M7320', title: '工程和技术研究和试验发展', nameWord: '科技', scope: '技术服务、技术开发、技术咨询', weight: 6, tradeLikelihood: 0.1 },
  { code: 'M7484', title: '工程设计活动', nameWord: '设计', scope: '工程设计；规划设计管理', weight: 2, tradeLikelihood: 0.02 },
  { code: 'O8010', title: '家庭服务', nameWord: '家政服务', scope: '家政服务；保洁服务', weight: 2, tradeLikelihood: 0.0 },
  { code: 'P8391', title: '职业技能培训', nameWord: '教育科技', scope: '职业技能培训（不含需取得许可的培训）', weight: 2, tradeLikelihood: 0.0 },
  { code: 'Q8411', title: '综合医院', nameWord: '医疗管理', scope: '医疗服务；医院管理', weight: 1, tradeLikelihood: 0.02 },
];

/** [industry, weight] pairs for weighted picks. */
export const WEIGHTED_INDUSTRIES: readonly (readonly [Industry, number])[] = INDUSTRIES.map((i) => [i, i.weight]);
