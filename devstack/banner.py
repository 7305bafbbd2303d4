"""What `make dev` says when it is ready: printed then, again on Enter in its terminal, and by
`make dev-info` (`python -m devstack info`) in another one, read from the data folder."""
from __future__ import annotations

import urllib.error
import urllib.request

from devstack.seed import DemoLogin
from devstack.settings import LocalSettings


def banner(local: LocalSettings, login: DemoLogin, running: bool = True,
           booking_page: str | None = None) -> str:
    """`booking_page`: the demo shop's public booking page, when the stack can say it."""
    origin = local.origin
    booking = (f"\n    線上預約 Booking page {booking_page}   (the customer's phone; the code "
               "texted lands in the outbox)") if booking_page else ""
    state = ("is running 已啟動" if running else
             "is not running 未啟動: `make dev` starts it with these")
    return f"""
  ServiceLane 服務接待系統 {state}
    PWA + API   {origin}/      (API under {origin}/api/)
    示範帳號 Demo login   {login.email}
    密碼 Password         {login.password}
    同一密碼 Same password  advisor@demo.servicelane.tw (服務顧問),
                          chen@demo.servicelane.tw, lin@demo.servicelane.tw (技師)
    寄出的訊息 Outbox     {origin}/dev/outbox   (SMS, e-mail kept here, not sent)
    LINE 模擬 stand-in    {local.line_url}/   (type as the customer 王雅婷; LINE replies show there){booking}
    電子發票模擬 e-invoice  {local.einvoice_url}/_issued   (ECPay stand-in: invoices issued)
    每日排程 Daily job    make daily   (DATE=YYYY-MM-DD runs it as that day)
    資料 Data             {local.data_dir} (kept between runs)
    記錄 Logs             {local.logs_dir}/   (app.log, http.log, the engines')""" + (
        "\n  Enter 再顯示 shows this again · Ctrl-C 停止 stops everything." if running else "")


def answers(local: LocalSettings) -> bool:
    """Whether the product answers at its origin now (a `make dev` of these settings runs)."""
    try:
        urllib.request.urlopen(f"{local.origin}/api/health", timeout=2).close()
        return True
    except urllib.error.HTTPError:
        return True  # it answered: unhealthy, but running
    except OSError:
        return False
