// Makes `require("vscode")` and `require("vscode-languageclient/node")` return the stand-ins, so
// the extension's own code runs unchanged under `node --test`.

import Module = require("node:module");

import * as languageclient from "./languageclient";
import * as vscode from "./vscode";

type Load = (request: string, parent: unknown, isMain: boolean) => unknown;
const internals = Module as unknown as { _load: Load };
const load = internals._load;
internals._load = function (request: string, parent: unknown, isMain: boolean): unknown {
  if (request === "vscode") {
    return vscode;
  }
  if (request === "vscode-languageclient/node" || request === "vscode-languageclient") {
    return languageclient;
  }
  return load.call(this, request, parent, isMain);
};
