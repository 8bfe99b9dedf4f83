#!/usr/bin/env node
// gpt2_ids.js: GPT-2 token ids from the reference encoder (npm tiktoken 1.0.22, "gpt2"),
// for chapter 4's tests and benchmark. Never a build dependency.
//   node gpt2_ids.js [--allow-special] < text        ids of the whole input, space-separated
//   node gpt2_ids.js --json < ["a", "b", ...]       a JSON array of id arrays, one per string
//   node gpt2_ids.js --bench FILE REPEATS           MB/s of encode(FILE): min and median ms
//   node gpt2_ids.js --pieces < ["a", "b", ...]     the same, with GPT-2's pre-tokeniser but a
//                                                   vocabulary that shows every piece boundary
// Install once with: npm ci --prefix tools/tiktoken
"use strict";
const fs = require("fs");
const { get_encoding, Tiktoken } = require("tiktoken");

const args = process.argv.slice(2);
const enc = get_encoding("gpt2");
// "<|endoftext|>" is the special token only with --allow-special; otherwise it is
// plain text, as in our encoder's default.
const allowed = args.includes("--allow-special") ? "all" : [];
const encode = (s) => enc.encode(s, allowed, []);

// GPT-2's pattern with a vocabulary of the 256 bytes and every pair of bytes (ids
// 256..65791: first the pairs with an ASCII byte, then the rest, each group in (first,
// second) order). Inside a piece an ASCII character always merges with its neighbour
// byte, so the ids show where pieces begin and end: which code points the pattern calls
// letters, numbers or spaces. Chapter 4's test builds the same vocabulary.
function boundary_encoder() {
  const pat = JSON.parse(fs.readFileSync(require.resolve("tiktoken/encoders/gpt2.json"), "utf8")).pat_str;
  const lines = [];
  for (let b = 0; b < 256; ++b) lines.push(Buffer.from([b]).toString("base64") + " " + b);
  let id = 256;
  for (const ascii of [true, false])
    for (let x = 0; x < 256; ++x)
      for (let y = 0; y < 256; ++y)
        if ((x < 128 || y < 128) === ascii) lines.push(Buffer.from([x, y]).toString("base64") + " " + id++);
  return new Tiktoken(lines.join("\n"), {}, pat);
}

if (args[0] === "--pieces") {
  const b = boundary_encoder();
  const strings = JSON.parse(fs.readFileSync(0, "utf8"));
  process.stdout.write(JSON.stringify(strings.map((s) => Array.from(b.encode_ordinary(s)))) + "\n");
  b.free();
} else if (args[0] === "--bench") {
  const text = fs.readFileSync(args[1], "utf8");
  const bytes = Buffer.byteLength(text, "utf8");
  const repeats = Number(args[2] || 3);
  let n = encode(text).length;   // warm-up
  const ms = [];
  for (let r = 0; r < repeats; ++r) {
    const t0 = process.hrtime.bigint();
    n = encode(text).length;
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  ms.sort((a, b) => a - b);
  process.stdout.write(JSON.stringify({ bytes, tokens: n, min_ms: ms[0], median_ms: ms[Math.floor(ms.length / 2)],
                                        repeats }) + "\n");
} else if (args.includes("--json")) {
  const strings = JSON.parse(fs.readFileSync(0, "utf8"));
  const out = strings.map((s) => Array.from(encode(s)));
  process.stdout.write(JSON.stringify(out) + "\n");
} else {
  const text = fs.readFileSync(0, "utf8");
  process.stdout.write(Array.from(encode(text)).join(" ") + "\n");
}
enc.free();
