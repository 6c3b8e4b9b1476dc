#!/usr/bin/env bash
# Runs the demo center: migrate, load the demo data once, then the web server and the Huey
# worker together until Ctrl-C, which stops both.
set -euo pipefail
port="${1:-8000}"
govhall=.venv/bin/govhall
$govhall migrate --no-input -v 0
$govhall seed_demo
$govhall seed_demo_work_orders
$govhall seed_demo_assessment
$govhall runserver "127.0.0.1:${port}" --noreload &
web=$!
$govhall run_huey &
worker=$!
trap 'kill $web $worker 2>/dev/null; wait; exit 0' INT TERM
sleep 2
cat <<TEXT

govhall demo is running: http://127.0.0.1:${port}/
  public site     http://127.0.0.1:${port}/
  kiosk           http://127.0.0.1:${port}/c/demo/kiosk/
  take a ticket   http://127.0.0.1:${port}/hall/c/demo/ticket/
  book            http://127.0.0.1:${port}/hall/c/demo/book/
  check in        http://127.0.0.1:${port}/hall/c/demo/check-in/
  hall screen     http://127.0.0.1:${port}/hall/c/demo/display/
  workstation     http://127.0.0.1:${port}/hall/workstation/   (demo-clerk, counter 17)
  manager board   http://127.0.0.1:${port}/hall/manager/       (demo-hall-manager)
  SMS outbox      http://127.0.0.1:${port}/hall/sms-outbox/    (verification codes in the demo)
  my cases        http://127.0.0.1:${port}/cases/mine/          (demo-citizen; messages at /accounts/messages/)
  case work list  http://127.0.0.1:${port}/cases/work/          (demo-reviewer, demo-department-head)
  supervision     http://127.0.0.1:${port}/supervision/         (demo-supervisor)
  audit log       http://127.0.0.1:${port}/audit/               (demo-supervisor; govhall audit_verify)
  rectifications  http://127.0.0.1:${port}/feedback/rectifications/ (demo-department-head)
  appeals         http://127.0.0.1:${port}/feedback/appeals/    (demo-clerk, demo-department-head, demo-supervisor)
  satisfaction    http://127.0.0.1:${port}/feedback/satisfaction/ (demo-hall-manager; public figures /feedback/figures/demo/)
  rate a service  http://127.0.0.1:${port}/feedback/c/demo/comment/
  work orders     http://127.0.0.1:${port}/workorders/          (demo-hall-manager, demo-department-head; public form /workorders/c/demo/new/)
  certificates    http://127.0.0.1:${port}/certificates/        (demo-citizen; registry /certificates/manage/ for demo-department-head)
  dept. systems   http://127.0.0.1:${port}/certificates/systems/ (demo-department-head: API keys and webhooks)
  assessment      http://127.0.0.1:${port}/assessment/          (demo-inspector, demo-clerk; bulletin /assessment/bulletin/, ranking for demo-administrator)
  statistics      http://127.0.0.1:${port}/stats/               (demo-hall-manager; big screen /stats/screen/, reports /stats/reports/)
  open data       http://127.0.0.1:${port}/open-data/
  admin           http://127.0.0.1:${port}/admin/
  API (OpenAPI)   http://127.0.0.1:${port}/api/v1/docs
Demo log-ins (password: $($govhall seed_demo --print-password)):
$($govhall seed_demo --list-logins)
Press Ctrl-C to stop the web server and the worker.
TEXT
wait
