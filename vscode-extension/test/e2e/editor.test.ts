// The packaged extension in a real VS Code (code-server), once per engine and once in the
// browser's web worker extension host: open a file from the Explorer, read the finding in the
// Problems panel, apply its quick fix with Ctrl+. and the keyboard, save with Ctrl+S, and read
// the fixed file back from disk.
//
//   ECRLINT_VSIX=... ECRLINT_CODE_SERVER=.../out/node/entry.js npm run test:vscode
//
// (`cargo xtask vscode --e2e` builds the .vsix and sets both; `cargo xtask setup` installs
// code-server.) Screenshots of every step: test-artifacts/vscode-<native|wasm|web>-NN-<step>.png.

import * as assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { vsixPath } from "../repo";
import { Workbench, type Problem } from "./workbench";

/**
 * Where the extension and its language server run; each gets a VS Code of its own and the whole
 * scenario. `native` and `wasm` (`ecrlint.engine`) run the extension's `main` in code-server's
 * Node.js extension host, with the bundled `ecrlint server` or the WebAssembly server in a Node.js
 * process beside it. `web` makes VS Code run the extension's `browser` entry in the browser's web
 * worker extension host (`remote.extensionKind`), as VS Code for the Web does, where it starts
 * the WebAssembly server in a web worker of its own.
 */
const CONFIGURATIONS = [
  {
    name: "native",
    settings: { "ecrlint.engine": "native" },
    host: "server",
    server: "the bundled native server",
    /** Where that host logs the output channel. */
    log: /\/exthost\d+\/output_logging_[^/]+\/\d+-ecrlint\.log$/,
    /** The first line of the output channel. */
    started:
      /^Starting .+\/ext\/ecrlint\.ecrlint-[^/]+\/server\/ecrlint server \(found via the binary bundled with the extension\)\.$/,
    /** What code-server's processes run from the extension's folder. */
    processes: [["server/ecrlint", "server"]],
  },
  {
    name: "wasm",
    settings: { "ecrlint.engine": "wasm" },
    host: "server",
    server: "the WebAssembly server in a Node.js process",
    log: /\/exthost\d+\/output_logging_[^/]+\/\d+-ecrlint\.log$/,
    started: /^Starting the WebAssembly server \(ecrlint\.engine is wasm\)\.$/,
    processes: [["dist/wasm-server.js", "--node-ipc", "--clientProcessId=PID"]],
  },
  {
    name: "web",
    settings: { "ecrlint.engine": "wasm", "remote.extensionKind": { "ecrlint.ecrlint": ["web"] } },
    host: "browser",
    server: "the WebAssembly server in a web worker",
    log: /\/exthost\/webWorker\/output_logging_[^/]+\/\d+-ecrlint\.log$/,
    started: /^Starting the WebAssembly server \(in a web worker\)\.$/,
    processes: [],
  },
] as const;

const ACCOUNT = "123456789012";
const RULES = "https://github.com/ecrlint/ecrlint/blob/main/docs/rules";

/** A repository that is clean but for its mutable tags: scanned on push, encrypted with its own
 * key, with a lifecycle policy. */
const TEMPLATE = `AWSTemplateFormatVersion: "2010-09-09"
Resources:
  ImageKey:
    Type: AWS::KMS::Key
    Properties:
      KeyPolicy:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              AWS: !Sub "arn:\${AWS::Partition}:iam::\${AWS::AccountId}:root"
            Action: "kms:*"
            Resource: "*"
  Images:
    Type: AWS::ECR::Repository
    Properties:
      ImageTagMutability: MUTABLE
      ImageScanningConfiguration:
        ScanOnPush: true
      EncryptionConfiguration:
        EncryptionType: KMS
        KmsKey: !GetAtt ImageKey.Arn
      LifecyclePolicy:
        LifecyclePolicyText: '{"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":14},"action":{"type":"expire"}}]}'
`;

const POLICY = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Pull",
      "Effect": "Allow",
      "Principal": "*",
      "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    }
  ]
}
`;

const TERRAFORM = `resource "aws_kms_key" "images" {
  description = "Images"
}

resource "aws_ecr_repository" "images" {
  name                 = "images"
  image_tag_mutability = "MUTABLE"

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = aws_kms_key.images.arn
  }
}

resource "aws_ecr_lifecycle_policy" "images" {
  repository = aws_ecr_repository.images.name
  policy = jsonencode({
    rules = [{
      rulePriority = 1
      selection = {
        tagStatus   = "untagged"
        countType   = "sinceImagePushed"
        countUnit   = "days"
        countNumber = 14
      }
      action = { type = "expire" }
    }]
  })
}
`;

const FILES: Record<string, string> = { "repository.yaml": TEMPLATE, "policy.json": POLICY, "main.tf": TERRAFORM };

function codeServer(): string {
  const entry = process.env["ECRLINT_CODE_SERVER"];
  if (!entry) {
    throw new Error("ECRLINT_CODE_SERVER is not set: run these tests with `cargo xtask vscode --e2e`");
  }
  return entry;
}

for (const configuration of CONFIGURATIONS) {
  const { name } = configuration;
  describe(`the extension in VS Code (code-server), ${name}`, () => {
    let workbench: Workbench;

    before(async () => {
      workbench = await Workbench.start({
        codeServer: codeServer(),
        vsix: vsixPath(),
        name: `vscode-${name}`,
        settings: {
          ...configuration.settings,
          "ecrlint.accountId": ACCOUNT,
          // The protocol messages go to the output channel, which a failed step keeps.
          "ecrlint.trace.server": "verbose",
        },
        files: FILES,
      });
    });

    after(async () => {
      await workbench?.stop();
    });

    /** Opens `file`, sees `problem` alone in the Problems panel, applies `fix` among the quick
     * fixes `offered`, saves with Ctrl+S, and checks the file on disk is `fixed` and the panel empty. */
    async function fixInEditor(
      file: string,
      problem: Problem,
      offered: string[],
      fix: string,
      fixed: string,
    ): Promise<void> {
      const w = workbench;
      const original = FILES[file];
      assert.ok(original !== undefined, `${file} is one of the workspace's files`);
      const stem = file.replace(/\..*/, "");
      await w.step(`${stem} closed others`, () => w.closeAllEditors());
      await w.step(`${stem} no problems`, async () => {
        await w.showProblems();
        await w.waitForProblems([]);
      });
      await w.step(`${stem} opened`, () => w.openFromExplorer(file));
      await w.step(`${stem} problem shown`, () => w.waitForProblems([problem]));
      await w.step(`${stem} quick fix applied`, () => w.quickFix(offered, fix));
      assert.equal(w.readFile(file), original, `${file} is unchanged on disk until it is saved`);
      await w.step(`${stem} saved`, () => w.save());
      await w.step(`${stem} fixed on disk`, () => w.waitForFile(file, fixed));
      await w.step(`${stem} problem gone`, () => w.waitForProblems([]));
    }

    const hostName = configuration.host === "browser" ? "the browser's web worker" : "code-server's Node.js";
    it(`runs in ${hostName} extension host and answers through ${configuration.server}`, async () => {
      const w = workbench;
      // "Developer: Show Running Extensions" names the extension host the extension runs in.
      const host = await w.step("running extensions", () => w.runningExtensionHost("ecrlint"));
      assert.equal(host, configuration.host === "browser" ? "web worker" : w.authority);
      await w.step("running extensions closed", async () => {
        await w.runCommand("View: Close All Editors");
        await w.page.locator(".runtime-extensions-editor").waitFor({ state: "detached" });
      });
      // The extension's output channel, logged by that host, starts with the server it started.
      let channel = await w.outputChannel();
      const deadline = Date.now() + 30_000;
      while (!channel?.text.includes("\n") && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        channel = await w.outputChannel();
      }
      assert.ok(channel, "the extension has an output channel");
      assert.equal(channel.host, configuration.host, `the output channel is logged in the ${configuration.host}`);
      assert.match(channel.log, configuration.log);
      const first = channel.text.slice(0, channel.text.indexOf("\n"));
      assert.match(first, configuration.started);
      // And the Output view ("ecrlint: Show Output") shows it at the top.
      const shown = await w.step("output shown", () => w.outputViewTop());
      assert.ok(
        shown.startsWith(first),
        `the Output view starts with ${JSON.stringify(first)}: ${JSON.stringify(shown.slice(0, 300))}`,
      );
      // The language server's process, beside code-server's extension host, or none.
      const processes = w
        .extensionProcesses()
        .map((argv) => argv.map((arg) => arg.replace(/^--clientProcessId=\d+$/, "--clientProcessId=PID")));
      assert.deepEqual(processes, configuration.processes);
    });

    it("fixes a mutable repository in a CloudFormation template", async () => {
      await fixInEditor(
        "repository.yaml",
        {
          severity: "warning",
          message: "`ImageTagMutability` is `MUTABLE`: image tags can be overwritten",
          source: "ecrlint",
          code: "ECR201",
          documentation: `${RULES}/ECR201-mutable-image-tags.md`,
          position: "[Ln 17, Col 27]",
        },
        ["Set `ImageTagMutability` to `IMMUTABLE`", "Ignore ECR201 on this line", "Ignore ECR201 for this resource"],
        "Set `ImageTagMutability` to `IMMUTABLE`",
        TEMPLATE.replace("ImageTagMutability: MUTABLE", "ImageTagMutability: IMMUTABLE"),
      );
    });

    it("replaces Principal \"*\" in a repository policy with the account of ecrlint.accountId", async () => {
      await fixInEditor(
        "policy.json",
        {
          severity: "error",
          message: "repository policy allows everyone: `Principal` is `*` and no condition limits the caller",
          source: "ecrlint",
          code: "ECR101",
          documentation: `${RULES}/ECR101-public-repository.md`,
          position: "[Ln 7, Col 20]",
        },
        [`Allow only the owning account (\`arn:aws:iam::${ACCOUNT}:root\`)`],
        `Allow only the owning account (\`arn:aws:iam::${ACCOUNT}:root\`)`,
        POLICY.replace(`"Principal": "*"`, `"Principal": {"AWS": "arn:aws:iam::${ACCOUNT}:root"}`),
      );
    });

    it("fixes a mutable aws_ecr_repository in a Terraform file", async () => {
      await fixInEditor(
        "main.tf",
        {
          severity: "warning",
          message: "`image_tag_mutability` is `MUTABLE`: image tags can be overwritten",
          source: "ecrlint",
          code: "ECR201",
          documentation: `${RULES}/ECR201-mutable-image-tags.md`,
          position: "[Ln 7, Col 26]",
        },
        ["Set `image_tag_mutability` to `IMMUTABLE`"],
        "Set `image_tag_mutability` to `IMMUTABLE`",
        TERRAFORM.replace(`image_tag_mutability = "MUTABLE"`, `image_tag_mutability = "IMMUTABLE"`),
      );
    });
  });
}
