"""`ecrlint audit` against Prowler's ECR checks on one moto server: 3 regions x N repositories
whose right answers are known by construction, each tool's wall time, and each tool's verdicts
scored against the known answers. Run by `cargo xtask bench-audit`, which installs what it needs;
prints Markdown tables.

moto runs behind recorder.py, which counts each tool's requests and keeps moto's answers; the
tools are then timed a second time against replay.py, which serves the same answers after a fixed
latency, concurrently, without moto's own cost per request (each tool's verdicts must be the same
there).

Usage: python bench.py --ecrlint PATH --prowler PATH [--repositories N] [--runs N]
       [--prowler-runs N] [--latency-ms MS]
"""

import argparse
import glob
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

import boto3

HERE = os.path.dirname(os.path.abspath(__file__))

REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2"]
ACCOUNT = "123456789012"
PULL = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
PROWLER_CHECKS = [
    "ecr_repositories_not_publicly_accessible",
    "ecr_repositories_tag_immutability",
    "ecr_repositories_scan_images_on_push_enabled",
    "ecr_registry_scan_images_on_push_enabled",
]

# The repository policies of the corpus, by i % 6: (the statement's principal and condition,
# whether everyone can pull).
POLICIES = [
    ("no policy", None, False),
    ("Principal *, no condition", {"Principal": "*"}, True),
    ("Principal *, StringEquals aws:PrincipalOrgID", {"Principal": "*", "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}, False),
    ("Principal *, ForAnyValue:StringEquals aws:PrincipalOrgID", {"Principal": "*", "Condition": {"ForAnyValue:StringEquals": {"aws:PrincipalOrgID": ["o-a1b2c3d4e5"]}}}, False),
    ("Principal *, StringLike aws:PrincipalOrgID \"*\" (any organization)", {"Principal": "*", "Condition": {"StringLike": {"aws:PrincipalOrgID": "*"}}}, True),
    ("Principal arn:aws:iam::*:root", {"Principal": {"AWS": "arn:aws:iam::*:root"}}, True),
]
# Tag mutability by i % 4: (setting, whether tags can be overwritten by default).
MUTABILITY = [
    ("MUTABLE", True),
    ("IMMUTABLE", False),
    ("MUTABLE_WITH_EXCLUSION", True),
    ("IMMUTABLE_WITH_EXCLUSION", False),
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seed(n):
    """Creates the corpus; returns the known answers by ARN."""
    truth = {}
    for r, region in enumerate(REGIONS):
        ecr = boto3.client("ecr", region_name=region)
        # The registry scans repositories named `scan-*` on push; a repository's own
        # scanOnPush does not count while the registry has rules.
        ecr.put_registry_scanning_configuration(scanType="BASIC", rules=[{"scanFrequency": "SCAN_ON_PUSH", "repositoryFilters": [{"filter": "scan-*", "filterType": "WILDCARD"}]}])
        if r == 0:
            ecr.put_registry_policy(policyText=json.dumps({"Version": "2012-10-17", "Statement": [{"Sid": "Replication", "Effect": "Allow", "Principal": "*", "Action": ["ecr:CreateRepository", "ecr:ReplicateImage"], "Resource": f"arn:aws:ecr:{region}:{ACCOUNT}:repository/*"}]}))
        truth[f"arn:aws:ecr:{region}:{ACCOUNT}:registry"] = {"public": r == 0}
        for i in range(n):
            name = f"scan-svc-{i:04d}" if i % 2 == 0 else f"svc-{i:04d}"
            mutability, mutable = MUTABILITY[i % 4]
            args = {"repositoryName": name, "imageTagMutability": mutability, "imageScanningConfiguration": {"scanOnPush": i % 3 == 0}}
            if mutability.endswith("_WITH_EXCLUSION"):
                args["imageTagMutabilityExclusionFilters"] = [{"filter": "latest", "filterType": "WILDCARD"}]
            arn = ecr.create_repository(**args)["repository"]["repositoryArn"]
            _, statement, public = POLICIES[i % 6]
            if statement:
                policy = {"Version": "2012-10-17", "Statement": [dict({"Sid": "Pull", "Effect": "Allow", "Action": PULL}, **statement)]}
                ecr.set_repository_policy(repositoryName=name, policyText=json.dumps(policy))
            truth[arn] = {"public": public, "mutable": mutable, "scanned": name.startswith("scan-"), "policy": i % 6, "mutability": i % 4}
    return truth


def run_ecrlint(path, runs):
    times, verdicts = [], None
    for _ in range(runs):
        start = time.perf_counter()
        out = subprocess.run([path, "audit", "--region", ",".join(REGIONS), "--output-format", "json"], capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        if out.returncode not in (0, 1):
            sys.exit(f"ecrlint audit failed: {out.stderr}")
        verdicts = {}
        for f in json.loads(out.stdout):
            v = verdicts.setdefault(f["filename"], {})
            if f["code"] in ("ECR101", "ECR105"):
                v["public"] = True
            elif f["code"] == "ECR201":
                v["mutable"] = True
            elif f["code"] == "ECR202":
                v["scanned"] = False
    return times, verdicts


def run_prowler(path, runs):
    times, verdicts = [], None
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as out_dir:
            start = time.perf_counter()
            out = subprocess.run([path, "aws", "--checks", *PROWLER_CHECKS, "-f", *REGIONS, "--output-formats", "json-ocsf", "-o", out_dir, "--no-banner"], capture_output=True, text=True)
            times.append(time.perf_counter() - start)
            files = glob.glob(os.path.join(out_dir, "*.ocsf.json"))
            if not files:
                missed = call(int(os.environ["AWS_ENDPOINT_URL"].rsplit(":", 1)[1]), "/_bench/missed") if "replay" in os.environ.get("ECRLINT_BENCH_PHASE", "") else ""
                sys.exit(f"prowler wrote no findings (exit {out.returncode}): {out.stdout[-2000:]} {out.stderr[-2000:]} {missed}")
            verdicts = {}
            for f in json.load(open(files[0])):
                check, failed = f["metadata"]["event_code"], f["status_code"] == "FAIL"
                arn = f["resources"][0]["uid"]
                v = verdicts.setdefault(arn, {})
                if check == "ecr_repositories_not_publicly_accessible":
                    v["public"] = failed
                elif check == "ecr_repositories_tag_immutability":
                    v["mutable"] = failed
                elif check == "ecr_repositories_scan_images_on_push_enabled":
                    v["scanned"] = not failed
    return times, verdicts


def score(truth, verdicts, key, default):
    """(right, wrong) over the resources the answer is known for."""
    right = wrong = 0
    errors = {}
    for arn, answer in truth.items():
        if key not in answer:
            continue
        said = verdicts.get(arn, {}).get(key, default)
        if said == answer[key]:
            right += 1
        else:
            wrong += 1
            errors[arn] = answer
    return right, wrong, errors


def start(command, port):
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(600):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server
        except OSError:
            time.sleep(0.1)
    sys.exit(f"{command[1]} did not start")


def call(port, path, method="GET"):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method, data=b"" if method == "POST" else None)
    with urllib.request.urlopen(request) as answer:
        return json.load(answer)


def use(port):
    os.environ["AWS_ENDPOINT_URL"] = f"http://127.0.0.1:{port}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ecrlint", required=True)
    parser.add_argument("--prowler", required=True)
    parser.add_argument("--repositories", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--prowler-runs", type=int, default=1)
    parser.add_argument("--latency-ms", type=float, default=20)
    args = parser.parse_args()
    os.environ.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1", "AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"})
    port = free_port()
    answers = os.path.join(tempfile.mkdtemp(prefix="ecrlint-bench-audit-"), "answers.json")
    server = start([sys.executable, os.path.join(HERE, "recorder.py"), str(port)], port)
    try:
        use(port)
        truth = seed(args.repositories)
        repositories = sum(1 for a in truth if ":repository/" in a)
        call(port, "/_bench/mark?name=ecrlint", "POST")
        e_times, e_verdicts = run_ecrlint(args.ecrlint, args.runs)
        call(port, "/_bench/mark?name=prowler", "POST")
        p_times, p_verdicts = run_prowler(args.prowler, args.prowler_runs)
        counts = call(port, "/_bench/counts")
        call(port, f"/_bench/save?path={answers}", "POST")
    finally:
        server.terminate()
        server.wait()
    replay_port = free_port()
    server = start([sys.executable, os.path.join(HERE, "replay.py"), answers, str(replay_port), str(args.latency_ms)], replay_port)
    try:
        use(replay_port)
        os.environ["ECRLINT_BENCH_PHASE"] = "replay"
        re_times, re_verdicts = run_ecrlint(args.ecrlint, args.runs)
        rp_times, rp_verdicts = run_prowler(args.prowler, args.prowler_runs)
        missed = call(replay_port, "/_bench/missed")["missed"]
    finally:
        server.terminate()
        server.wait()
    if missed or re_verdicts != e_verdicts or rp_verdicts != p_verdicts:
        sys.exit(f"the replay differs from moto (answers kept in {answers}): {len(missed)} requests without an answer {missed}, ecrlint same: {re_verdicts == e_verdicts}, Prowler same: {rp_verdicts == p_verdicts}")
    os.remove(answers)

    print(f"{len(REGIONS)} regions x {args.repositories} repositories = {repositories} repositories; ecrlint {args.runs} runs, Prowler {args.prowler_runs}\n")
    print(f"| tool | requests per run | moto: wall time, median (min–max) | replayed at {args.latency_ms:g} ms: wall time, median (min–max) |")
    print("|---|---:|---|---|")
    for tool, name, times, replayed, runs in (("ecrlint audit", "ecrlint", e_times, re_times, args.runs), ("Prowler (4 ECR checks)", "prowler", p_times, rp_times, args.prowler_runs)):
        requests = sum(counts.get(name, {}).values()) / runs
        print(f"| {tool} | {requests:,.0f} | {statistics.median(times):.2f} s ({min(times):.2f}–{max(times):.2f}) | {statistics.median(replayed):.2f} s ({min(replayed):.2f}–{max(replayed):.2f}) |")
    print(f"\nSpeed-up: {statistics.median(p_times) / statistics.median(e_times):.1f}x on moto, {statistics.median(rp_times) / statistics.median(re_times):.1f}x replayed\n")
    print("Requests per run, by operation:\n")
    for name, runs in (("ecrlint", args.runs), ("prowler", args.prowler_runs)):
        made = ", ".join(f"{op} {n / runs:,.0f}" for op, n in sorted(counts.get(name, {}).items(), key=lambda kv: -kv[1]))
        print(f"- {name}: {made}")
    print()
    print("| verdict | known answers | ecrlint right | ecrlint wrong | Prowler right | Prowler wrong |")
    print("|---|---|---|---|---|---|")
    details = {}
    for key, label, default in (("public", "public (repositories and registries)", False), ("mutable", "tags mutable", False), ("scanned", "scanned on push", True)):
        er, ew, ee = score(truth, e_verdicts, key, default)
        pr, pw, pe = score(truth, p_verdicts, key, default)
        details[key] = (ee, pe)
        print(f"| {label} | {er + ew} | {er} | {ew} | {pr} | {pw} |")
    print("\nProwler's wrong verdicts, by case:\n")
    for key, (ee, pe) in details.items():
        cases = {}
        for arn, answer in pe.items():
            if ":registry" in arn:
                case = "registry policy with Principal * (never read)"
            elif key == "public":
                case = POLICIES[answer["policy"]][0]
            elif key == "mutable":
                case = MUTABILITY[answer["mutability"]][0]
            else:
                case = "scanned: " + str(answer["scanned"])
            cases[case] = cases.get(case, 0) + 1
        for case, count in sorted(cases.items()):
            print(f"- {key}: {case}: {count}")
        if ee:
            print(f"- ecrlint wrong on {key}: {sorted(ee)[:5]}")


if __name__ == "__main__":
    main()
