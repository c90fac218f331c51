//! The 34 province-level divisions of GB/T 2260 (中华人民共和国行政区划代码) and the
//! [`Region`] newtype over their six-digit codes.
//!
//! Owns: the code list with Chinese and English names, parsing and the CBOR form (an
//! unsigned integer, e.g. `330000`). Does not own prefecture- or county-level codes
//! (`330100` is not a `Region`), nor the jurisdiction prefixes of admin roles.

use crate::cbor::{Cbor, DecodeError, Decoder, Encoder};

/// One province-level division.
#[derive(Debug)]
struct Province {
    code: u32,
    name: &'static str,
    short: &'static str,
    pinyin: &'static str,
    english: &'static str,
}

const fn p(
    code: u32,
    name: &'static str,
    short: &'static str,
    pinyin: &'static str,
    english: &'static str,
) -> Province {
    Province {
        code,
        name,
        short,
        pinyin,
        english,
    }
}

/// GB/T 2260 province-level codes, ascending.
const PROVINCES: [Province; 34] = [
    p(110_000, "北京市", "北京", "Beijing", "Beijing"),
    p(120_000, "天津市", "天津", "Tianjin", "Tianjin"),
    p(130_000, "河北省", "河北", "Hebei", "Hebei"),
    p(140_000, "山西省", "山西", "Shanxi", "Shanxi"),
    p(
        150_000,
        "内蒙古自治区",
        "内蒙古",
        "Nei Mongol",
        "Inner Mongolia",
    ),
    p(210_000, "辽宁省", "辽宁", "Liaoning", "Liaoning"),
    p(220_000, "吉林省", "吉林", "Jilin", "Jilin"),
    p(
        230_000,
        "黑龙江省",
        "黑龙江",
        "Heilongjiang",
        "Heilongjiang",
    ),
    p(310_000, "上海市", "上海", "Shanghai", "Shanghai"),
    p(320_000, "江苏省", "江苏", "Jiangsu", "Jiangsu"),
    p(330_000, "浙江省", "浙江", "Zhejiang", "Zhejiang"),
    p(340_000, "安徽省", "安徽", "Anhui", "Anhui"),
    p(350_000, "福建省", "福建", "Fujian", "Fujian"),
    p(360_000, "江西省", "江西", "Jiangxi", "Jiangxi"),
    p(370_000, "山东省", "山东", "Shandong", "Shandong"),
    p(410_000, "河南省", "河南", "Henan", "Henan"),
    p(420_000, "湖北省", "湖北", "Hubei", "Hubei"),
    p(430_000, "湖南省", "湖南", "Hunan", "Hunan"),
    p(440_000, "广东省", "广东", "Guangdong", "Guangdong"),
    p(450_000, "广西壮族自治区", "广西", "Guangxi", "Guangxi"),
    p(460_000, "海南省", "海南", "Hainan", "Hainan"),
    p(500_000, "重庆市", "重庆", "Chongqing", "Chongqing"),
    p(510_000, "四川省", "四川", "Sichuan", "Sichuan"),
    p(520_000, "贵州省", "贵州", "Guizhou", "Guizhou"),
    p(530_000, "云南省", "云南", "Yunnan", "Yunnan"),
    p(540_000, "西藏自治区", "西藏", "Xizang", "Tibet"),
    p(610_000, "陕西省", "陕西", "Shaanxi", "Shaanxi"),
    p(620_000, "甘肃省", "甘肃", "Gansu", "Gansu"),
    p(630_000, "青海省", "青海", "Qinghai", "Qinghai"),
    p(640_000, "宁夏回族自治区", "宁夏", "Ningxia", "Ningxia"),
    p(650_000, "新疆维吾尔自治区", "新疆", "Xinjiang", "Xinjiang"),
    p(710_000, "台湾省", "台湾", "Taiwan", "Taiwan"),
    p(810_000, "香港特别行政区", "香港", "Xianggang", "Hong Kong"),
    p(820_000, "澳门特别行政区", "澳门", "Aomen", "Macao"),
];

/// Why a text is not a province-level code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
#[allow(missing_docs)] // fields named by the variant doc
pub enum RegionError {
    /// Not exactly six ASCII digits.
    #[error("a region code is six digits")]
    NotSixDigits,
    /// Six digits, but not one of the 34 province-level codes.
    #[error("{code:06} is not a province-level division code")]
    NotProvinceLevel { code: u32 },
}

/// A province-level division, by its six-digit GB/T 2260 code (`330000` = Zhejiang).
/// Only the 34 province-level codes can be made into a `Region`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Region(u32);

impl Region {
    /// Number of province-level divisions.
    pub const COUNT: usize = PROVINCES.len();

    /// Every region, in code order.
    pub fn all() -> impl Iterator<Item = Self> {
        PROVINCES.iter().map(|p| Self(p.code))
    }

    /// The region for a six-digit code text such as `"330000"`.
    ///
    /// # Errors
    /// [`RegionError::NotSixDigits`], or [`RegionError::NotProvinceLevel`] for a valid
    /// lower-level or unknown code.
    pub fn parse(s: &str) -> Result<Self, RegionError> {
        if s.len() != 6 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(RegionError::NotSixDigits);
        }
        let code = s
            .bytes()
            .fold(0u32, |acc, b| acc * 10 + u32::from(b - b'0'));
        Self::from_code(code).ok_or(RegionError::NotProvinceLevel { code })
    }

    /// The region for a numeric code, if it is province-level.
    pub fn from_code(code: u32) -> Option<Self> {
        PROVINCES
            .iter()
            .any(|p| p.code == code)
            .then_some(Self(code))
    }

    /// The region whose codes start with these two digits (`33` → Zhejiang), as in the
    /// first two digits of an identity number.
    pub fn from_prefix(prefix: u8) -> Option<Self> {
        Self::from_code(u32::from(prefix).checked_mul(10_000)?)
    }

    /// The six-digit code.
    pub const fn code(self) -> u32 {
        self.0
    }

    /// Whether this is one of the 31 mainland divisions (not Taiwan, Hong Kong or Macao).
    pub fn is_mainland(self) -> bool {
        self.0 < 710_000
    }

    fn entry(self) -> Option<&'static Province> {
        PROVINCES.iter().find(|p| p.code == self.0)
    }

    /// The official Chinese name (`浙江省`).
    pub fn name(self) -> &'static str {
        self.entry().map_or("", |p| p.name)
    }

    /// The short Chinese name (`浙江`).
    pub fn short_name(self) -> &'static str {
        self.entry().map_or("", |p| p.short)
    }

    /// The Hanyu Pinyin name (`Zhejiang`, `Nei Mongol`, `Xianggang`).
    pub fn pinyin(self) -> &'static str {
        self.entry().map_or("", |p| p.pinyin)
    }

    /// The usual English name (`Zhejiang`, `Inner Mongolia`, `Hong Kong`).
    pub fn name_en(self) -> &'static str {
        self.entry().map_or("", |p| p.english)
    }
}

impl std::fmt::Display for Region {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:06}", self.0)
    }
}

impl std::str::FromStr for Region {
    type Err = RegionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Cbor for Region {
    fn encode(&self, e: &mut Encoder) {
        e.u64(u64::from(self.0));
    }
    fn decode(d: &mut Decoder<'_>) -> Result<Self, DecodeError> {
        let invalid = DecodeError::InvalidValue { field: "region" };
        let code = u32::try_from(d.u64()?).map_err(|_| invalid.clone())?;
        Self::from_code(code).ok_or(invalid)
    }
}
