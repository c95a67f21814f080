//! The AWS commercial regions topoplan knows, with the AZ letters each offers
//! and a location for drawing and latency estimates.
//!
//! AZ letters come from `aws ec2 describe-availability-zones` as documented
//! per region (2026). An account sees a subset of letters in a few regions
//! (e.g. ap-northeast-1 has no "b" for new accounts); we accept the union.

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AwsRegion {
    pub code: &'static str,
    pub name: &'static str,
    /// AZ suffix letters, e.g. "abcdef" for us-east-1a..f.
    pub az_letters: &'static str,
    /// Latitude and longitude (degrees) of the region's metro area.
    pub location: (f64, f64),
}

macro_rules! regions {
    ($($code:literal, $name:literal, $letters:literal, $lat:literal, $lon:literal;)*) => {
        /// Every region, sorted by code.
        pub const REGIONS: &[AwsRegion] = &[
            $(AwsRegion { code: $code, name: $name, az_letters: $letters, location: ($lat, $lon) },)*
        ];
    };
}

regions! {
    "af-south-1", "Africa (Cape Town)", "abc", -33.9, 18.4;
    "ap-east-1", "Asia Pacific (Hong Kong)", "abc", 22.3, 114.2;
    "ap-east-2", "Asia Pacific (Taipei)", "abc", 25.0, 121.5;
    "ap-northeast-1", "Asia Pacific (Tokyo)", "abcd", 35.7, 139.7;
    "ap-northeast-2", "Asia Pacific (Seoul)", "abcd", 37.6, 127.0;
    "ap-northeast-3", "Asia Pacific (Osaka)", "abc", 34.7, 135.5;
    "ap-south-1", "Asia Pacific (Mumbai)", "abc", 19.1, 72.9;
    "ap-south-2", "Asia Pacific (Hyderabad)", "abc", 17.4, 78.5;
    "ap-southeast-1", "Asia Pacific (Singapore)", "abc", 1.35, 103.8;
    "ap-southeast-2", "Asia Pacific (Sydney)", "abc", -33.9, 151.2;
    "ap-southeast-3", "Asia Pacific (Jakarta)", "abc", -6.2, 106.8;
    "ap-southeast-4", "Asia Pacific (Melbourne)", "abc", -37.8, 145.0;
    "ap-southeast-5", "Asia Pacific (Malaysia)", "abc", 3.1, 101.7;
    "ap-southeast-7", "Asia Pacific (Thailand)", "abc", 13.8, 100.5;
    "ca-central-1", "Canada (Central)", "abd", 45.5, -73.6;
    "ca-west-1", "Canada West (Calgary)", "abc", 51.0, -114.1;
    "eu-central-1", "Europe (Frankfurt)", "abc", 50.1, 8.7;
    "eu-central-2", "Europe (Zurich)", "abc", 47.4, 8.5;
    "eu-north-1", "Europe (Stockholm)", "abc", 59.3, 18.1;
    "eu-south-1", "Europe (Milan)", "abc", 45.5, 9.2;
    "eu-south-2", "Europe (Spain)", "abc", 41.6, -0.9;
    "eu-west-1", "Europe (Ireland)", "abc", 53.3, -6.3;
    "eu-west-2", "Europe (London)", "abc", 51.5, -0.1;
    "eu-west-3", "Europe (Paris)", "abc", 48.9, 2.4;
    "il-central-1", "Israel (Tel Aviv)", "abc", 32.1, 34.8;
    "me-central-1", "Middle East (UAE)", "abc", 25.2, 55.3;
    "me-south-1", "Middle East (Bahrain)", "abc", 26.1, 50.6;
    "mx-central-1", "Mexico (Central)", "abc", 20.6, -100.4;
    "sa-east-1", "South America (São Paulo)", "abc", -23.5, -46.6;
    "us-east-1", "US East (N. Virginia)", "abcdef", 38.9, -77.4;
    "us-east-2", "US East (Ohio)", "abc", 40.0, -83.0;
    "us-west-1", "US West (N. California)", "abc", 37.4, -121.9;
    "us-west-2", "US West (Oregon)", "abcd", 45.8, -119.7;
}

pub fn find(code: &str) -> Option<&'static AwsRegion> {
    REGIONS.iter().find(|r| r.code == code)
}

/// Whether `az` names an AZ of region `code`: the code plus one of its letters.
pub fn az_in_region(az: &str, code: &str) -> bool {
    let Some(region) = find(code) else {
        return false;
    };
    match az.strip_prefix(code) {
        Some(suffix) => suffix.len() == 1 && region.az_letters.contains(suffix),
        None => false,
    }
}

/// The region an AZ name belongs to, if it is a known AZ.
pub fn region_of_az(az: &str) -> Option<&'static AwsRegion> {
    let code = az.get(..az.len().checked_sub(1)?)?;
    find(code).filter(|_| az_in_region(az, code))
}

/// Great-circle distance between two regions in kilometres.
pub fn distance_km(a: &AwsRegion, b: &AwsRegion) -> f64 {
    let (lat1, lon1) = (a.location.0.to_radians(), a.location.1.to_radians());
    let (lat2, lon2) = (b.location.0.to_radians(), b.location.1.to_radians());
    let h = ((lat2 - lat1) / 2.0).sin().powi(2)
        + lat1.cos() * lat2.cos() * ((lon2 - lon1) / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_unique() {
        assert!(REGIONS.windows(2).all(|w| w[0].code < w[1].code));
    }

    #[test]
    fn azs_belong_to_their_region() {
        assert!(az_in_region("us-east-1f", "us-east-1"));
        assert!(!az_in_region("us-east-1g", "us-east-1"));
        assert!(!az_in_region("us-west-2a", "us-east-1"));
        assert!(!az_in_region("eu-west-1d", "eu-west-1"));
        assert_eq!(
            region_of_az("us-west-2a").map(|r| r.code),
            Some("us-west-2")
        );
        assert_eq!(region_of_az("x"), None);
        assert_eq!(region_of_az(""), None);
    }

    #[test]
    fn distances_are_plausible() {
        let d = distance_km(find("us-east-1").unwrap(), find("eu-west-1").unwrap());
        assert!((5000.0..6000.0).contains(&d), "{d}");
    }
}
