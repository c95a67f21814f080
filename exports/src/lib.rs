//! topoplan's ways out of the document: Terraform HCL ([`terraform`]) and,
//! to come, applying autoscaling groups through the AWS SDK. No GUI here.

pub mod terraform;
