// Gates GET /checkout with the canary flag "new_checkout" and reports every outcome.
import express from "express";
import { OpenFeature } from "@openfeature/server-sdk";
import { CanaryProvider, CanaryReporter } from "onchain-canary/openfeature";
import { newCheckout, oldCheckout } from "./checkout.mjs";

const provider = new CanaryProvider({ node: process.env.CANARY_NODE ?? "http://127.0.0.1:20332" });
const reporter = new CanaryReporter({ provider, key: process.env.CANARY_REPORTER_KEY ?? "reporter", intervalMs: Number(process.env.CANARY_REPORT_MS ?? 5000) });
const flags = OpenFeature.setProvider(provider).getClient(); // answers defaults until the node does

express().get("/checkout", async (req, res) => {
  const account = req.get("x-account") ?? "";
  const useNew = await flags.getBooleanValue("new_checkout", false, { targetingKey: account });
  try {
    res.json(useNew ? newCheckout(account) : oldCheckout(account));
    reporter.success("new_checkout", account);
  } catch (e) {
    reporter.error("new_checkout", account);
    res.status(500).json({ error: e.message });
  }
}).listen(Number(process.env.PORT ?? 3000));
process.on("SIGTERM", async () => { await reporter.close(); process.exit(0); });
