//! topoplan's exports: what a topology document becomes outside topoplan.
//! [`terraform`] writes it as Terraform HCL; [`aws`] applies its autoscaling
//! groups to an AWS account through the SDK. No GUI here.

pub mod aws;
pub mod terraform;
