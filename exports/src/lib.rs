//! topoplan's exports: what a topology document becomes outside topoplan.
//! [`aws`] applies its autoscaling groups to an AWS account.

pub mod aws;
