/**
 * County-level administrative divisions of GB/T 2260, a sample spread over provinces, with the
 * weights of how many enterprises register there (coastal and capital districts weigh more).
 */
export interface Region {
  readonly code: string;
  readonly city: string;
  readonly district: string;
  readonly weight: number;
}

export const REGIONS: readonly Region[] = [
  { code: '110101', city: '北京', district: '东城区', weight: 3 },
  { code: '110102', city: '北京', district: '西城区', weight: 3 },
  { code: '110105', city: '北京', district: '朝阳区', weight: 8 },
  { code: '110106', city: '北京', district: '丰台区', weight: 4 },
  { code: '110108', city: '北京', district: '海淀区', weight: 8 },
  { code: '110112', city: '北京', district: '通州区', weight: 3 },
  { code: '120101', city: '天津', district: '和平区', weight: 2 },
  { code: '120116', city: '天津', district: '滨海新区', weight: 5 },
  { code: '130102', city: '石家庄', district: '长安区', weight: 2 },
  { code: '140105', city: '太原', district: '小店区', weight: 2 },
  { code: '210102', city: '沈阳', district: '和平区', weight: 2 },
  { code: '210202', city: '大连', district: '中山区', weight: 2 },
  { code: '220102', city: '长春', district: '南关区', weight: 2 },
  { code: '230102', city: '哈尔滨', district: '道里区', weight: 2 },
  { code: '310101', city: '上海', district: '黄浦区', weight: 4 },
  { code: '310104', city: '上海', district: '徐汇区', weight: 4 },
  { code: '310112', city: '上海', district: '闵行区', weight: 5 },
  { code: '310115', city: '上海', district: '浦东新区', weight: 10 },
  { code: '320102', city: '南京', district: '玄武区', weight: 3 },
  { code: '320506', city: '苏州', district: '吴中区', weight: 4 },
  { code: '320583', city: '苏州', district: '昆山市', weight: 4 },
  { code: '330106', city: '杭州', district: '西湖区', weight: 4 },
  { code: '330110', city: '杭州', district: '余杭区', weight: 5 },
  { code: '330212', city: '宁波', district: '鄞州区', weight: 4 },
  { code: '330782', city: '金华', district: '义乌市', weight: 5 },
  { code: '340104', city: '合肥', district: '蜀山区', weight: 3 },
  { code: '350203', city: '厦门', district: '思明区', weight: 3 },
  { code: '350102', city: '福州', district: '鼓楼区', weight: 2 },
  { code: '360102', city: '南昌', district: '东湖区', weight: 2 },
  { code: '370102', city: '济南', district: '历下区', weight: 3 },
  { code: '370212', city: '青岛', district: '崂山区', weight: 3 },
  { code: '410105', city: '郑州', district: '金水区', weight: 3 },
  { code: '420106', city: '武汉', district: '武昌区', weight: 3 },
  { code: '430104', city: '长沙', district: '岳麓区', weight: 3 },
  { code: '440106', city: '广州', district: '天河区', weight: 8 },
  { code: '440113', city: '广州', district: '番禺区', weight: 4 },
  { code: '440305', city: '深圳', district: '南山区', weight: 8 },
  { code: '440306', city: '深圳', district: '宝安区', weight: 7 },
  { code: '440604', city: '佛山', district: '禅城区', weight: 3 },
  { code: '441900', city: '东莞', district: '东莞市', weight: 6 },
  { code: '450103', city: '南宁', district: '青秀区', weight: 2 },
  { code: '460106', city: '海口', district: '龙华区', weight: 2 },
  { code: '500112', city: '重庆', district: '渝北区', weight: 4 },
  { code: '510107', city: '成都', district: '武侯区', weight: 4 },
  { code: '520103', city: '贵阳', district: '云岩区', weight: 2 },
  { code: '530102', city: '昆明', district: '五华区', weight: 2 },
  { code: '610113', city: '西安', district: '雁塔区', weight: 3 },
  { code: '620102', city: '兰州', district: '城关区', weight: 1 },
  { code: '650102', city: '乌鲁木齐', district: '天山区', weight: 1 },
];

/** [region, weight] pairs for weighted picks. */
export const WEIGHTED_REGIONS: readonly (readonly [Region, number])[] = REGIONS.map((r) => [r, r.weight]);
