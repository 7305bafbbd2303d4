"""ServiceLane API: routes and event handlers only. Each says who may call it, which body it
parses, which service does the work and what it answers (docs/api.md; /api/openapi.json).
Who may do what is checked by the services (chalicelib/api/roles.py)."""
from chalice import AuthResponse, Chalice, Cron, Response

from chalicelib.api import Api, tokens
from chalicelib.api.lazy import lazy
from chalicelib.core.config import settings
from chalicelib.core.errors import gateway_error, preferred_language
from chalicelib import booking_routes, customer_routes

# The domain, each module imported by the first request that uses it (chalicelib/api/lazy.py).
health = lazy("core.health")
openapi = lazy("api.openapi")
auth, shops, customers, vehicles, shop_settings, onboarding = (
    lazy(f"records.{name}") for name in ("auth", "shops", "customers", "vehicles", "shop_settings",
                                         "onboarding"))
booking_setup = lazy("records.booking_setup")
catalogue = lazy("records.catalogue")
stock = lazy("work.stock")
catalogue_import = lazy("after.catalogue_import")
payments, invoicing, cashup = lazy("work.payments"), lazy("outward.invoicing"), lazy("after.cashup")
appointments, board, dispatch_sheet, handover, inspections, jobs, orders, parts, photos, \
    quality, signatures = (lazy(f"work.{name}") for name in (
        "appointments", "board", "dispatch_sheet", "handover", "inspections", "jobs", "orders",
        "parts", "photos", "quality", "signatures"))
history = lazy("work.history")
appointment_sheet, inspection_sheet = (lazy(f"work.{name}") for name in (
    "appointment_sheet", "inspection_sheet"))
notify, links = lazy("outward.notify"), lazy("outward.links")
staff_alerts = lazy("outward.notify.staff")
followup_sheet = lazy("after.followup_sheet")
followups, cases, reminders, dashboard, portability, exports, imports, daily, merge = (
    lazy(f"after.{name}") for name in ("followups", "cases", "reminders", "dashboard",
                                       "portability", "exports", "imports", "daily", "merge"))
invitations = lazy("after.invitations")
changes = lazy("changes")

app = Chalice(app_name="servicelane")
api = Api(app, still_current=lambda caller: auth.still_current(caller))

SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


@app.middleware("http")
def errors_and_headers(event, get_response):
    response = gateway_error(get_response(event),
                             preferred_language(event.headers.get("accept-language")))
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


# API Gateway keeps an answer for a token a minute: a token outlives its expiry by that at most.
@app.authorizer(ttl_seconds=60)
def staff_token(auth_request):
    """Every signed-in route: a valid access token names the person, their shop and role."""
    caller = tokens.verify_access(tokens.bearer(auth_request.token))
    if caller is None:
        return AuthResponse(routes=[], principal_id="anonymous")
    return AuthResponse(routes=["*"], principal_id=caller.staff_id, context={
        "shop_id": caller.shop_id, "staff_id": caller.staff_id, "role": caller.role,
        "name": caller.name, "device_id": caller.device_id or "",
        "token_version": caller.token_version})


api.authorizer = staff_token
app.register_blueprint(customer_routes.routes)  # /t/<token> and /o/<token>: public
app.register_blueprint(booking_routes.routes)  # /b/<code> and /m/<token>: public


@app.route("/api/health", methods=["GET"])
def get_health():
    healthy, body = health.report()
    return Response(body=body, status_code=200 if healthy else 503)


@app.route("/api/openapi.json", methods=["GET"])
def get_openapi():
    return openapi.document(api.routes)


# --- sign-in, sessions, shared tablets ---

@api.route("/api/auth/sign-in", "POST", body="records.auth:SignIn", public=True)
def sign_in(body):
    """Sign in with a mobile or e-mail and a password."""
    return auth.sign_in(body.login, body.password)


@api.route("/api/auth/refresh", "POST", body="records.auth:RefreshRequest", public=True)
def refresh_session(body):
    """A new access token; the refresh token is used up and replaced."""
    return auth.refresh(body.refresh_token)


@api.route("/api/auth/sign-out", "POST", body="records.auth:RefreshRequest", public=True,
           status=204)
def sign_out(body):
    auth.sign_out(body.refresh_token)


@api.route("/api/auth/welcome", "POST", body="records.onboarding:WelcomeRedemption", public=True)
def redeem_welcome(body):
    """A new shop's owner chooses a password at their one-time link; a session as sign-in."""
    return onboarding.redeem(body.token, body.password)


@api.route("/api/auth/device", "POST", body="records.auth:DeviceCredentials", public=True)
def device_staff(body):
    """The staff who may switch in on a registered shop tablet."""
    return auth.device_staff(body.device_id, body.device_secret)


@api.route("/api/auth/pin", "POST", body="records.auth:PinSignIn", public=True)
def pin_sign_in(body):
    """Switch to oneself on a shared tablet with a 6-digit PIN."""
    return auth.pin_sign_in(body.device_id, body.device_secret, body.staff_id, body.pin)


@api.route("/api/me", "GET")
def get_me():
    return auth.me(api.caller())


@api.route("/api/me/pin", "PUT", body="records.auth:PinChange", status=204)
def set_my_pin(body):
    auth.set_pin(api.caller(), body.pin, body.password)


@api.route("/api/me/unlock", "POST", body="records.auth:Unlock", status=204)
def unlock_handover(body):
    """Hand-over mode ends: the staff member's own PIN (or password) takes the tablet back."""
    auth.unlock(api.caller(), body.secret)


@api.route("/api/devices", "POST", body="records.auth:NewDevice", status=201)
def register_device(body):
    """A manager signs this tablet in as a shop device (its secret is shown once)."""
    return auth.register_device(api.caller(), body.device_id, body.name)


@api.route("/api/devices", "GET")
def list_devices():
    """The shop's tablets: name, when registered and last used, revoked or not (managers)."""
    return auth.list_devices(api.caller())


@api.route("/api/devices/{device_id}", "PATCH", body="records.auth:DeviceChange")
def rename_device(device_id, body):
    return auth.rename_device(api.caller(), device_id, body.name)


@api.route("/api/devices/{device_id}", "DELETE")
def revoke_device(device_id):
    """The tablet's secret stops working at once; it stays listed as revoked."""
    return auth.revoke_device(api.caller(), device_id)


# --- staff ---

@api.route("/api/staff", "GET")
def list_staff():
    return shops.list_staff(api.caller())


@api.route("/api/staff", "POST", body="records.shops:NewStaff", status=201)
def create_staff(body):
    return shops.create_staff(api.caller(), body)


@api.route("/api/staff/{staff_id}", "PATCH", body="records.shops:StaffChange")
def update_staff(staff_id, body):
    return shops.update_staff(api.caller(), staff_id, body)


@api.route("/api/staff/{staff_id}/password", "PUT", body="records.shops:PasswordReset")
def reset_staff_password(staff_id, body):
    """A temporary password for a person (owner, manager); their sessions end."""
    return shops.reset_password(api.caller(), staff_id, body)


@api.route("/api/staff/{staff_id}/pin", "DELETE")
def reset_staff_pin(staff_id):
    """Clear a person's PIN so they set a new one (owner, manager)."""
    return shops.reset_pin(api.caller(), staff_id)


# --- customers, vehicles, appointments ---

@api.route("/api/customers", "GET", query="records.customers:PhoneLookup")
def find_customers(query):
    """Customers whose number begins with the digits typed so far."""
    return customers.find_by_phone(api.caller(), query.phone)


@api.route("/api/customers", "POST", body="records.customers:NewCustomer", status=201)
def create_customer(body):
    return customers.create_customer(api.caller(), body)


@api.route("/api/customers/{customer_id}", "GET")
def get_customer(customer_id):
    """A customer with their vehicles."""
    return customers.customer_page(api.caller(), customer_id)


@api.route("/api/customers/{customer_id}", "PATCH", body="records.customers:CustomerChange")
def update_customer(customer_id, body):
    return customers.update_customer(api.caller(), customer_id, body)


@api.route("/api/customers/{customer_id}/merge", "POST", body="after.merge:Merge")
def merge_customers(customer_id, body):
    """Another record of this customer merged into this one (owner, manager): its vehicles,
    orders, bookings, reminders and consents move here; it stays as a tombstone naming this."""
    return merge.merge(api.caller(), customer_id, body)


# --- data rights and portability (個資法): managers only ---

@api.route("/api/exports", "POST", body="after.exports:NewExport", status=202)
def start_export(body):
    """A customer's data or the whole shop's, exported as a job (recorded): answered at once;
    its state and, once done, 15-minute links to a JSON and a zip of CSVs at GET."""
    return exports.start(api.caller(), body)


@api.route("/api/exports/{job_id}", "GET")
def get_export(job_id):
    """How far an export is (`percent`), and its files once `state` is done."""
    return exports.status(api.caller(), job_id)


@api.route("/api/customers/{customer_id}/erasure", "POST", body="after.portability:Erasure",
           status=202)
def erase_customer_data(customer_id, body):
    """Erase a customer on request, as a job once the typed name matches: signed documents
    sealed, still verifiable; the job ends refused (`error`) while an order or a booking is
    open. Followed at GET /api/erasures/{job_id}."""
    return portability.start_erasure(api.caller(), customer_id, body, _language())


@api.route("/api/erasures/{job_id}", "GET")
def get_erasure(job_id):
    """How an erasure went: its record (`erasure`) once done, or why it was refused."""
    return portability.erasure_status(api.caller(), job_id, _language())


@api.route("/api/imports/uploads", "POST", body="after.imports:NewImport")
def upload_import(body):
    """A form to send a CSV of customers and vehicles straight to storage (15 minutes)."""
    return imports.upload(api.caller(), body)


@api.route("/api/imports", "POST", body="after.imports:NewImport", status=202)
def start_import(body):
    """The uploaded CSV imported as a job: bad rows reported by line, the rest imported once."""
    return imports.start(api.caller(), body, _language())


@api.route("/api/imports/{import_id}", "GET")
def get_import(import_id):
    """How far an import is, what it added, and its bad rows by line."""
    return imports.status(api.caller(), import_id)


@api.route("/api/vehicles", "GET", query="records.vehicles:PlateLookup")
def find_vehicles(query):
    """Vehicles whose plate begins with what was typed (hyphen optional)."""
    return vehicles.find_by_plate(api.caller(), query.plate)


@api.route("/api/vehicles", "POST", body="records.vehicles:NewVehicle", status=201)
def create_vehicle(body):
    return vehicles.create_vehicle(api.caller(), body)


@api.route("/api/vehicles/{vehicle_id}", "GET")
def get_vehicle(vehicle_id):
    """A vehicle with its mileage readings, owners and orders."""
    return vehicles.vehicle_page(api.caller(), vehicle_id)


@api.route("/api/vehicles/{vehicle_id}", "PATCH", body="records.vehicles:VehicleChange")
def update_vehicle(vehicle_id, body):
    return reminders.update_vehicle(api.caller(), vehicle_id, body)


@api.route("/api/vehicles/{vehicle_id}/owner", "POST", body="records.vehicles:NewOwner")
def change_vehicle_owner(vehicle_id, body):
    """The vehicle changes hands; its history stays with it."""
    return vehicles.change_owner(api.caller(), vehicle_id, body)


@api.route("/api/vehicles/{vehicle_id}/mileage", "POST", body="records.vehicles:MileageReading")
def record_mileage(vehicle_id, body):
    """An odometer reading; a lower one only with `confirm_lower` (a replaced meter)."""
    return vehicles.record_mileage(api.caller(), vehicle_id, body.km, body.source,
                                   body.confirm_lower)


@api.route("/api/vehicles/{vehicle_id}/history", "GET")
def get_vehicle_history(vehicle_id):
    """The vehicle's 維修履歷: visits and their lines, tread, pads and mileage over time, and
    declined work no later visit did."""
    return history.history(api.caller(), vehicle_id)


@api.route("/api/vehicles/{vehicle_id}/history/pdf", "GET")
def get_vehicle_history_pdf(vehicle_id):
    """The history as an A4 PDF for the owner (a 15-minute link)."""
    return history.pdf_link(api.caller(), vehicle_id)


@api.route("/api/appointments", "GET", query="work.appointments:DayQuery")
def list_appointments(query):
    """The day's bookings (Asia/Taipei), by time."""
    return appointments.day(api.caller(), query)


@api.route("/api/appointments/week", "GET", query="work.appointments:WeekQuery")
def list_appointments_week(query):
    """Seven days from `start`: each day's hours, slots with places taken, and bookings."""
    return appointments.week(api.caller(), query)


@api.route("/api/booking-setup", "GET")
def get_booking_setup():
    """How the shop takes bookings, with its booking page's link and QR."""
    return booking_setup.get_setup(api.caller())


@api.route("/api/booking-setup", "PUT", body="records.booking_setup:BookingSetupBody")
def replace_booking_setup(body):
    return booking_setup.replace_setup(api.caller(), body)


@api.route("/api/appointments/pdf", "GET", query="work.appointment_sheet:SheetQuery")
def get_appointments_pdf(query):
    """The 預約表 of a day (`day`) or of the week from that Monday (`week`) as an A4 PDF: a
    15-minute link."""
    return appointment_sheet.pdf_link(api.caller(), query)


@api.route("/api/appointments", "POST", body="work.appointments:NewAppointment", status=201)
def create_appointment(body):
    return appointments.create_appointment(api.caller(), body)


@api.route("/api/appointments/{appointment_id}", "PATCH",
           body="work.appointments:AppointmentChange")
def update_appointment(appointment_id, body):
    """Reschedule, change, confirm, cancel or mark a no-show (409 `slot_full` unless
    `overbook`)."""
    return appointments.update_appointment(api.caller(), appointment_id, body)


@api.route("/api/appointments/{appointment_id}/check-in", "POST", body="work.appointments:CheckIn",
           status=201)
def check_in_appointment(appointment_id, body):
    """The booked car arrives: its repair order is opened."""
    return appointments.check_in(api.caller(), appointment_id, body)


# --- the walk-around and photos ---

@api.route("/api/catalogue/warning-lights", "GET")
def list_warning_lights():
    """The dashboard warning lights (ISO 2575 telltales) with their colour and names."""
    return inspections.warning_lights()


@api.route("/api/shop", "GET")
def get_shop_profile():
    """The shop's name, phone, address, LINE ID and logo (what the customer's page shows)."""
    return shops.get_profile(api.caller())


@api.route("/api/shop", "PATCH", body="records.shops:ShopChange")
def update_shop_profile(body):
    """Change the shop's details (owner, manager)."""
    return shops.update_profile(api.caller(), body)


@api.route("/api/shop/logo", "PUT", body="records.shops:NewLogo")
def set_shop_logo(body):
    """The shop's logo, sent as base64 (JPEG, PNG or WebP, at most 2 MB), stored re-encoded."""
    return shops.set_logo(api.caller(), body)


@api.route("/api/shop/settings", "GET")
def get_shop_settings():
    """The shop's thresholds: tread depth, brake pads, uneven wear."""
    return shop_settings.get_settings(api.caller())


@api.route("/api/shop/settings", "PATCH", body="records.shop_settings:SettingsChange")
def update_shop_settings(body):
    return shop_settings.update_settings(api.caller(), body)


@api.route("/api/shop/inspection-template", "GET")
def get_inspection_template():
    """The shop's walk-around checklist (the default one until the shop edits it)."""
    return shop_settings.get_template(api.caller())


@api.route("/api/shop/inspection-template", "PUT", body="records.shop_settings:Template")
def replace_inspection_template(body):
    return shop_settings.replace_template(api.caller(), body)


@api.route("/api/orders/{order_id}/inspection", "GET")
def get_inspection(order_id):
    """The walk-around with what it concludes (findings) and its photos."""
    return inspections.get_inspection(api.caller(), order_id)


@api.route("/api/orders/{order_id}/inspection/pdf", "GET")
def get_inspection_pdf(order_id):
    """The whole 檢修確認表 as an A4 PDF (every field, the damage diagram, the photos): a
    15-minute link."""
    return inspection_sheet.pdf_link(api.caller(), order_id)


@api.route("/api/orders/{order_id}/inspection", "PATCH", body="work.inspections:InspectionChanges")
def update_inspection(order_id, body):
    """Fields changed on a tablet, each with its time: the newest change of a field wins."""
    return inspections.update_inspection(api.caller(), order_id, body)


@api.route("/api/orders/{order_id}/photos", "GET")
def list_photos(order_id):
    return photos.list_photos(api.caller(), order_id)


@api.route("/api/orders/{order_id}/photos", "POST", body="work.photos:NewPhoto")
def presign_photo(order_id, body):
    """Where to upload a photo: a presigned POST straight to S3, for 15 minutes."""
    return photos.presign(api.caller(), order_id, body)


@api.route("/api/orders/{order_id}/photos/{photo_id}/complete", "POST", status=201)
def complete_photo(order_id, photo_id):
    """The upload is there: checked, stripped of EXIF, resized and recorded (422 otherwise)."""
    return photos.complete(api.caller(), order_id, photo_id)


@api.route("/api/orders/{order_id}/photos/{photo_id}", "DELETE", status=204)
def delete_photo(order_id, photo_id):
    photos.delete(api.caller(), order_id, photo_id)


# --- repair orders ---

@api.route("/api/board", "GET", query="work.board:BoardQuery")
def get_board(query):
    """The advisor's board for a day: open orders and those closed that day, by state."""
    return board.board(api.caller(), query)


@api.route("/api/orders", "POST", body="work.orders:NewOrder", status=201)
def create_order(body):
    return orders.create_order(api.caller(), body)


@api.route("/api/orders/{order_id}", "GET")
def get_order(order_id):
    """The order with its lines, totals, events and the steps the caller may take."""
    return orders.get_order(api.caller(), order_id)


@api.route("/api/orders/{order_id}", "PATCH", body="work.orders:OrderChange")
def update_order(order_id, body):
    return orders.update_order(api.caller(), order_id, body)


@api.route("/api/orders/{order_id}/transitions", "POST", body="work.orders:TransitionRequest")
def transition_order(order_id, body):
    return orders.transition(api.caller(), order_id, body)


@api.route("/api/orders/{order_id}/lines", "POST", body="work.orders:NewLine", status=201)
def add_line(order_id, body):
    return orders.add_line(api.caller(), order_id, body)


@api.route("/api/orders/{order_id}/lines/{line_id}", "PATCH", body="work.orders:LineChange")
def update_line(order_id, line_id, body):
    return orders.update_line(api.caller(), order_id, line_id, body)


@api.route("/api/orders/{order_id}/lines/{line_id}", "DELETE")
def delete_line(order_id, line_id):
    return orders.delete_line(api.caller(), order_id, line_id)


@api.route("/api/orders/{order_id}/dispatch", "POST", body="work.orders:Dispatch")
def dispatch_order(order_id, body):
    """Assign the order's lines (or some of them) to a technician (派工)."""
    return orders.dispatch(api.caller(), order_id, body)


@api.route("/api/orders/{order_id}/findings", "POST", body="work.orders:Finding", status=201)
def propose_line(order_id, body):
    """What a technician found during the work: an added line for the advisor to price."""
    return orders.propose(api.caller(), order_id, body)


@api.route("/api/orders/{order_id}/promise", "POST", body="work.orders:PromiseRevision")
def revise_promise(order_id, body):
    """A new promised time, with why; the customer is told."""
    return orders.revise_promise(api.caller(), order_id, body)


@api.route("/api/orders/{order_id}/lines/{line_id}/clock", "POST", body="work.jobs:ClockTap")
def clock_job(order_id, line_id, body):
    """Time on a job: start, pause (with why), resume, finish."""
    return jobs.tap(api.caller(), order_id, line_id, body)


@api.route("/api/orders/{order_id}/help", "POST", body="work.jobs:HelpCall")
def ask_help(order_id, body):
    """A technician asks for support (需要支援); the board shows it until someone takes it."""
    return jobs.ask_help(api.caller(), order_id, body)


@api.route("/api/orders/{order_id}/help/taken", "POST", body="work.jobs:HelpTaken")
def take_help(order_id, body):
    return jobs.take_help(api.caller(), order_id, body)


@api.route("/api/dispatch-sheet", "GET", query="work.dispatch_sheet:SheetQuery")
def get_dispatch_sheet(query):
    """The day's 派工表: each technician's jobs, sold and actual hours, 工時效率."""
    return dispatch_sheet.sheet(api.caller(), query)


@api.route("/api/dispatch-sheet/pdf", "GET", query="work.dispatch_sheet:SheetQuery")
def get_dispatch_sheet_pdf(query):
    """The day's 派工表 as an A4 PDF: a 15-minute link."""
    return dispatch_sheet.pdf_link(api.caller(), query)


@api.route("/api/orders/{order_id}/handover", "PUT", body="work.handover:Handover")
def record_handover(order_id, body):
    """The delivery walk-around (交車檢查) with the customer: new damage, valuables returned."""
    return handover.record(api.caller(), order_id, body)


@api.route("/api/me/push", "GET")
def get_my_push():
    """The key this device subscribes with to the front desk's alerts (null: not set up)."""
    return staff_alerts.settings(api.caller())


@api.route("/api/me/push", "POST", body="outward.notify.push:Subscription")
def subscribe_my_push(body):
    """This device is told of findings to price and calls for help."""
    return staff_alerts.subscribe(api.caller(), body)


@api.route("/api/me/push/off", "POST", body="outward.notify.push:Unsubscription")
def unsubscribe_my_push(body):
    return staff_alerts.unsubscribe(api.caller(), body)


@api.route("/api/quality-check", "GET")
def get_quality_template():
    """The final check's checklist (品檢)."""
    return quality.get_template(api.caller())


@api.route("/api/shop/quality-check-template", "PUT", body="records.shop_settings:Template")
def replace_quality_template(body):
    """The shop's own final-check list (owners, managers)."""
    return quality.replace_template(api.caller(), body)


@api.route("/api/orders/{order_id}/quality-check", "PUT", body="work.quality:QualityCheck")
def record_quality_check(order_id, body):
    """The final check, item by item: passed, or the order goes back to work with the note."""
    return quality.record(api.caller(), order_id, body)


# --- signed documents (委修確認單, 估價單, 結帳清單) ---

@api.route("/api/orders/{order_id}/documents/{kind}", "GET")
def get_document(order_id, kind):
    """The document as the customer will see it, its hash, and whether it can be signed now."""
    return signatures.get_document(api.caller(), order_id, kind)


@api.route("/api/orders/{order_id}/documents/{kind}/pdf", "GET")
def get_draft_pdf(order_id, kind):
    """The document as it would be signed now, as a PDF marked a draft: a 15-minute link."""
    return signatures.draft_pdf(api.caller(), order_id, kind)


@api.route("/api/orders/{order_id}/signatures", "POST", body="work.signatures:NewSignature",
           status=201)
def sign_document(order_id, body):
    """The customer signs on the shop's tablet; the caller is the witness."""
    return signatures.sign(api.caller(), order_id, body, api.client())


@api.route("/api/orders/{order_id}/signatures/{signature_id}/pdf", "GET")
def get_signed_pdf(order_id, signature_id):
    """A 15-minute link to the signed document's PDF."""
    return signatures.pdf_link(api.caller(), order_id, signature_id)


@api.route("/api/orders/{order_id}/documents/{kind}/revisions", "POST",
           body="work.signatures:Revision")
def revise_document(order_id, kind, body):
    """Set the signed version aside so the order may change and a new version be signed."""
    return signatures.revise(api.caller(), order_id, kind, body)


@api.route("/api/verify/{signature_hash}", "GET", public=True)
def verify_document(signature_hash):
    """Whether a signed document is intact (the QR on its paper copy); no personal data."""
    result = signatures.verify(signature_hash)
    if api.wants_html():
        return Response(body=signatures.verify_page(result), status_code=200, headers={
            "Content-Type": "text/html; charset=utf-8",
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"})
    return result


@api.route("/api/jobs", "GET", query="work.jobs:JobsQuery")
def list_jobs(query):
    """A technician's job list (their own, unless the caller is front desk)."""
    return jobs.jobs(api.caller(), query)


# --- old parts (舊品) ---

def _language() -> str:
    return preferred_language(app.current_request.headers.get("accept-language"))


@api.route("/api/parts", "POST", body="work.parts:NewTag", status=201)
def create_part_tag(body):
    """Tag an old part (from a job line, or free-standing); its code is made by the server."""
    return parts.create_tag(api.caller(), body)


@api.route("/api/parts/moves", "POST", body="work.parts:BatchMove")
def move_part_tags(body):
    """One custody event for many tags at once (a crate to the shelf); per code ok or why not."""
    return parts.move_many(api.caller(), body, _language())


@api.route("/api/parts/labels", "POST", body="work.parts:LabelsRequest")
def print_part_labels(body):
    """A 15-minute link to one PDF of many labels: thermal pages or A4 sheets of 27."""
    return parts.label_sheet(api.caller(), body)


@api.route("/api/parts/{code}", "GET")
def get_part_tag(code):
    """The tag, its custody events and the moves the caller may make now."""
    return parts.get_tag(api.caller(), code)


@api.route("/api/parts/{code}", "PATCH", body="work.parts:TagChange")
def update_part_tag(code, body):
    return parts.update_tag(api.caller(), code, body)


@api.route("/api/parts/{code}/events", "POST", body="work.parts:NewEvent")
def record_part_event(code, body):
    """A custody event: held, shown, returned, disposed, returned to supplier, kept."""
    return parts.record_event(api.caller(), code, body)


@api.route("/api/parts/{code}/label", "GET", query="work.parts:LabelQuery")
def get_part_label(code, query):
    """A 15-minute link to the tag's 50 × 30 mm label (PNG, or PDF for a thermal printer)."""
    return parts.label(api.caller(), code, query)


@api.route("/api/parts/{code}/public", "GET", public=True)
def get_public_part_tag(code):
    """What a scan shows without signing in: a part tag of that shop, no personal data (failed
    look-ups limited per client and minute, as a progress link's)."""
    try:
        with links.failures_limited(api.client()["ip"], "part", links.LIMIT_PER_MINUTE):
            return parts.public_tag(code)
    except links.Throttled as over:
        return customer_routes.too_many(over)


@api.route("/api/orders/{order_id}/parts", "GET")
def list_order_parts(order_id):
    """The order's old parts with their state, and why delivery would wait (if it would)."""
    return parts.order_parts(api.caller(), order_id)


@api.route("/api/reports/parts", "GET", query="work.parts:ReportQuery")
def get_parts_report(query):
    """The month's disposals by category and supplier returns (JSON, or a link to a CSV)."""
    return parts.report(api.caller(), query, _language())


# --- the customer's link (/t/<token>) ---
# The advisor's routes are signed in (front desk); the customer's page and what it does are
# public routes outside /api/, each taking nothing but the token (chalicelib/outward/links.py).

@api.route("/api/orders/{order_id}/link", "GET")
def get_customer_link(order_id):
    """The customer's progress link (made on first asking), with a QR of it as SVG."""
    return links.get_link(api.caller(), order_id)


@api.route("/api/orders/{order_id}/link", "POST")
def reissue_customer_link(order_id):
    """A new link for the customer: the old one stops working at once."""
    return links.reissue_link(api.caller(), order_id)


@api.route("/api/orders/{order_id}/link", "DELETE")
def revoke_customer_link(order_id):
    """The customer's link stops working (re-issue makes a new one)."""
    return links.revoke_link(api.caller(), order_id)


# --- notifications ---

@api.route("/api/shop/notification-settings", "GET")
def get_notification_settings():
    """Which steps tell the customer, the message templates, channels and quiet hours."""
    return shop_settings.get_notification_settings(api.caller())


@api.route("/api/shop/notification-settings", "PATCH",
           body="records.shop_settings:NotificationSettingsChange")
def update_notification_settings(body):
    return shop_settings.update_notification_settings(api.caller(), body)


@api.route("/api/orders/{order_id}/messages", "GET")
def list_order_messages(order_id):
    """The order's messages to the customer: channel, step, state, time, why one failed."""
    return {"messages": notify.order_messages(api.caller(), order_id)}


@api.route("/api/orders/{order_id}/messages/{message_id}/resend", "POST",
           body="outward.notify:Resend")
def resend_message(order_id, message_id, body):
    """Send a message again on its channel (once per client id)."""
    return notify.resend(api.caller(), order_id, message_id, body)


@api.route("/api/customers/{customer_id}/reminders", "PUT", body="after.reminders:Switch")
def switch_reminders(customer_id, body):
    """Stop or resume a customer's reminders (`{"reminders": "off" | "on"}`)."""
    return reminders.customer_switch(api.caller(), customer_id, body)


@api.route("/api/customers/{customer_id}/line-link", "GET")
def get_line_link(customer_id):
    """A one-time code and the QR's URL that opens the shop's LINE account with it typed in."""
    return notify.line_link(api.caller(), customer_id)


@api.route("/api/customers/{customer_id}/conversation", "GET")
def get_conversation(customer_id):
    """The customer's LINE conversation, both ways, the newest messages (reading marks nothing)."""
    return notify.conversation(api.caller(), customer_id)


@api.route("/api/customers/{customer_id}/conversation", "POST", body="outward.notify:Reply",
           status=201)
def reply_on_line(customer_id, body):
    """The advisor's reply, pushed to the customer's LINE at once (once per client id)."""
    return notify.reply(api.caller(), customer_id, body)


@api.route("/api/customers/{customer_id}/conversation/read", "POST")
def read_conversation(customer_id):
    """The customer's conversation read: it leaves the inbox and the badge."""
    return notify.mark_conversation_read(api.caller(), customer_id)


@api.route("/api/inbox", "GET")
def get_inbox():
    """The conversations with unread LINE messages (the header's badge and its list)."""
    return notify.inbox(api.caller())


@api.route("/api/line/webhook", "POST", public=True)
def line_webhook():
    """LINE's webhook (signed with the channel secret): links a customer who sent their code,
    keeps what a linked customer writes; each event once."""
    request = app.current_request
    return notify.line_webhook(request.raw_body, request.headers.get("x-line-signature"))


# Quiet hours held some messages back: this sends them once due (the one place that does).
@app.schedule("rate(15 minutes)", name="send_queued_messages")
def send_queued_messages(event):
    return notify.send_due_now()  # one piece per shard of shops


# An invoice the value-added centre could not take waits; this tries the due ones again.
@app.schedule("rate(5 minutes)", name="send_queued_invoices")
def send_queued_invoices(event):
    return invoicing.send_due()


@app.on_dynamodb_record(stream_arn=settings().stream_arn, batch_size=100, name="on_change")
def on_change(event):
    return changes.handle(event)


# --- after delivery: follow-up calls (維修後關懷) and cases ---

@api.route("/api/followups", "GET")
def list_followups():
    """The calls due: orders delivered the shop's number of days ago, not yet followed up."""
    return followups.due(api.caller())


@api.route("/api/followups/pdf", "GET", query="after.followup_sheet:SheetQuery")
def get_followups_pdf(query):
    """The 維修後關懷紀錄表 of a day (`day`): its calls and the cases they opened, as an A4 PDF
    for the manager: a 15-minute link."""
    return followup_sheet.pdf_link(api.caller(), query)


@api.route("/api/orders/{order_id}/followup", "POST", body="after.followups:CallRecord")
def record_followup(order_id, body):
    """One call: reached (satisfied, or an issue opening a case), no answer, or call back."""
    return followups.record(api.caller(), order_id, body)


# --- the invitation list (邀約回廠名單) ---

@api.route("/api/invitations", "GET", query="after.invitations:ListQuery")
def list_invitations(query):
    """The cars to invite back: due reminders and declined work of the coming `weeks` (and up
    to 30 days overdue), one row per car; the ones contacted or booked apart."""
    return invitations.listing(api.caller(), query)


@api.route("/api/invitations/{invitation_id}/contacts", "POST",
           body="after.invitations:Contact")
def record_invitation_contact(invitation_id, body):
    """A call (or message) and its outcome; 409 `already_contacted` when another advisor did."""
    return invitations.record(api.caller(), invitation_id, body)


@api.route("/api/invitations/{invitation_id}/messages", "POST", body="after.invitations:Send")
def send_invitation(invitation_id, body):
    """The shop's invitation by LINE (linked) or SMS, recorded as the contact; 409 when the
    customer said no to marketing, in quiet hours, or when another advisor contacted them."""
    return invitations.send(api.caller(), invitation_id, body)


@api.route("/api/cases", "GET", query="after.cases:CasesQuery")
def list_cases(query):
    """Open cases by due date (the manager's board), or the latest closed ones."""
    return cases.list_cases(api.caller(), query)


@api.route("/api/cases/{case_id}", "GET")
def get_case(case_id):
    return cases.get_case(api.caller(), case_id)


@api.route("/api/cases/{case_id}", "PATCH", body="after.cases:CaseChange")
def update_case(case_id, body):
    """Another owner, another due date, or invite the customer back (the owner or a manager)."""
    return cases.update_case(api.caller(), case_id, body)


@api.route("/api/cases/{case_id}/close", "POST", body="after.cases:CaseClose")
def close_case(case_id, body):
    """Closed with its resolution, by the case's owner or a manager; it leaves the board."""
    return cases.close_case(api.caller(), case_id, body)


# Early each morning (06:00 in Taipei, 22:00 UTC the day before): the day's follow-up list, and
# the other daily tasks (chalicelib/after/daily.py).
@app.schedule(Cron(0, 22, "*", "*", "?", "*"), name="daily_jobs")
def daily_jobs(event):
    return daily.run()


# Long work in pieces (chalicelib/core/pieces.py): a shop's export, the daily job's per-shard
# parts. Invoked asynchronously, each piece by the one before it or by what started the work.
PIECES = frozenset({"after.exports:run_piece", "after.imports:run_piece",
                    "after.catalogue_import:run_piece",
                    "after.portability:run_erasure", "after.daily:run_piece", "outward.notify.quiet_hours:send_due_piece"})


@app.lambda_function(name="pieces")
def run_piece(event, context):
    if event.get("piece") not in PIECES:
        raise ValueError(f"no such piece: {event.get('piece')!r}")
    module, _, function = event["piece"].partition(":")
    return getattr(lazy(module), function)(event["payload"])


# --- the shop's numbers (營運數據) ---


@api.route("/api/dashboard", "GET", query="after.dashboard:PeriodQuery")
def get_dashboard(query):
    """A period's figures from the daily aggregates (JSON, or `format=csv`: one row per day)."""
    return dashboard.dashboard(api.caller(), query)


# --- the catalogue (工時、零件、保養套餐、工資) ---

@api.route("/api/catalogue", "GET")
def get_catalogue():
    """The tablets' copy: `{version, url, bytes, counts, rates}`, `url` a 15-minute link to the
    gzip JSON snapshot, built first when the catalogue changed since the last one."""
    return catalogue.get_catalogue(api.caller())


@api.route("/api/catalogue/rates", "PUT", body="records.catalogue:RatesChange")
def put_catalogue_rates(body):
    """The shop's labour rates (一般、電系、鈑噴…), all of them at once (owner, manager)."""
    return catalogue.put_rates(api.caller(), body)


@api.route("/api/catalogue/operations/{op_code}", "PUT", body="records.catalogue:OperationChange")
def put_catalogue_operation(op_code, body):
    """A labour operation, its standard hours and the shop's hours per car (owner, manager)."""
    return catalogue.put_operation(api.caller(), op_code, body)


@api.route("/api/catalogue/operations/{op_code}", "DELETE", status=204)
def delete_catalogue_operation(op_code):
    return catalogue.delete_operation(api.caller(), op_code)


@api.route("/api/catalogue/menus/{menu_id}", "PUT", body="records.catalogue:MenuChange")
def put_catalogue_menu(menu_id, body):
    """A service menu (保養套餐): its mileage or months, its car, its items and a fixed price
    (or none: the items' prices add up) (owner, manager)."""
    return catalogue.put_menu(api.caller(), menu_id, body)


@api.route("/api/catalogue/menus/{menu_id}", "DELETE", status=204)
def delete_catalogue_menu(menu_id):
    return catalogue.delete_menu(api.caller(), menu_id)


@api.route("/api/catalogue/parts/{part_key}", "PUT", body="records.catalogue:PartChange")
def put_catalogue_part(part_key, body):
    """One part by its key (models.part_key of its number and brand; 422 otherwise)."""
    return catalogue.put_part(api.caller(), part_key, body)


@api.route("/api/catalogue/parts/{part_key}", "DELETE", status=204)
def delete_catalogue_part(part_key):
    return catalogue.delete_part(api.caller(), part_key)


@api.route("/api/catalogue/restore", "POST", body="after.portability:CatalogueRestore")
def restore_catalogue(body):
    """A shop export's catalogue (rates, operations, menus, parts, kept stock) written back, a
    piece of up to 1,000 rows a request (owner, manager)."""
    return portability.restore_catalogue(api.caller(), body)


# --- an order line's choice between grades and its parts status ---


@api.route("/api/orders/{order_id}/lines/{line_id}/choice", "POST",
           body="work.line_options:Choice")
def choose_line_option(order_id, line_id, body):
    """The customer's choice between a line's grades (正廠 / 副廠…), recorded by the advisor."""
    return orders.choose(api.caller(), order_id, line_id, body)


@api.route("/api/orders/{order_id}/lines/{line_id}/supply", "POST",
           body="work.line_options:SupplyChange")
def set_line_supply(order_id, line_id, body):
    """A part's status: in stock, to order, ordered (supplier, expected date), arrived."""
    return orders.set_supply(api.caller(), order_id, line_id, body)


# --- the stock of kept parts (庫存) ---


@api.route("/api/stock", "GET", query="work.stock:StockQuery")
def list_stock(query):
    """The kept parts: on hand, reserved by authorized orders, available, the minimum (安全量);
    below the minimum first (`below=1`: only those)."""
    return stock.listing(api.caller(), query)


@api.route("/api/stock/below.csv", "GET")
def get_stock_below_csv():
    """The parts below their minimum with what to order, as a CSV (UTF-8 with a BOM, for Excel)."""
    return stock.below_csv(api.caller())


@api.route("/api/stock/{part_key}", "PUT", body="work.stock:StockChange")
def change_stock(part_key, body):
    """A count (盤點) or a minimum; the part must be in the catalogue (404); 409 on a stale
    version."""
    return stock.change(api.caller(), part_key, body)


@api.route("/api/stock/{part_key}/receipts", "POST", body="work.stock:Receipt")
def receive_stock(part_key, body):
    """Goods received (進貨): added to on hand once per client id, even when sent again."""
    return stock.receive(api.caller(), part_key, body)


# --- price lists into the catalogue ---


@api.route("/api/catalogue/imports/uploads", "POST", body="after.catalogue_import:NewUpload")
def upload_price_list(body):
    """A form to send a supplier's price list (.csv or .xlsx) straight to storage (15 minutes)."""
    return catalogue_import.upload(api.caller(), body)


@api.route("/api/catalogue/imports", "POST", body="after.catalogue_import:NewImport", status=202)
def start_price_list_import(body):
    """The uploaded price list checked (`dry_run`) or imported into the parts, as a job."""
    return catalogue_import.start(api.caller(), body, _language())


@api.route("/api/catalogue/imports/{import_id}", "GET")
def get_price_list_import(import_id):
    """How far a price list's import (or its dry run) is: counts, bad rows by line."""
    return catalogue_import.status(api.caller(), import_id)


# --- the checkout: payments, the 電子發票, the day's cash-up (日結) ---


@api.route("/api/orders/{order_id}/payments", "POST", body="work.payments:NewPayment")
def take_payment(order_id, body):
    """A payment or a deposit, by method (cash with change); once per client id; 409
    `overpaid` above what is left to pay, 422 `not_monthly` for 月結 without an account."""
    return payments.take(api.caller(), order_id, body)


@api.route("/api/orders/{order_id}/refunds", "POST", body="work.payments:NewRefund")
def refund_payment(order_id, body):
    """Money given back, by a method it was taken by (a manager)."""
    return payments.refund(api.caller(), order_id, body)


@api.route("/api/orders/{order_id}/unpaid-release", "POST", body="work.payments:UnpaidRelease")
def release_unpaid(order_id, body):
    """A manager lets the car leave before it is paid, with the reason."""
    return payments.release_unpaid(api.caller(), order_id, body)


@api.route("/api/orders/{order_id}/invoice", "POST", body="work.payments:InvoiceTo")
def request_invoice(order_id, body):
    """What the 電子發票 is to be (統編, carrier, donation, printed): queued for the
    value-added centre once the order is paid, or now."""
    return payments.invoice_to(api.caller(), order_id, body)


@api.route("/api/orders/{order_id}/invoice/resend", "POST")
def resend_invoice(order_id):
    """The order's waiting invoice tried again now (「重新傳送」)."""
    return invoicing.resend(api.caller(), order_id)


@api.route("/api/orders/{order_id}/invoice/void", "POST", body="outward.invoicing:Void")
def void_invoice(order_id, body):
    """The issued invoice voided (作廢) at the centre, within its period; 409 after it."""
    return invoicing.void(api.caller(), order_id, body)


@api.route("/api/orders/{order_id}/invoice/allowances", "POST",
           body="outward.invoicing:Allowance")
def allow_invoice(order_id, body):
    """An allowance (折讓) on the issued invoice, up to what is left of it."""
    return invoicing.allow(api.caller(), order_id, body)


@api.route("/api/orders/{order_id}/invoice/proof", "GET", query="outward.invoicing:ProofQuery")
def get_invoice_proof(order_id, query):
    """The issued invoice's 電子發票證明聯 (57 mm; PDF or the thermal printer's PNG), a
    15-minute link; 補印 from the second print on."""
    return invoicing.proof_link(api.caller(), order_id, query)


@api.route("/api/cashup", "GET", query="after.cashup:DayQuery")
def get_cashup(query):
    """The day's takings by method and cashier, deposits held, invoices issued, voided, allowed."""
    return cashup.cashup(api.caller(), query)


@api.route("/api/cashup.csv", "GET", query="after.cashup:DayQuery")
def get_cashup_csv(query):
    """The day's takings as a CSV for the accountant (UTF-8 with a BOM)."""
    return cashup.cashup_csv(api.caller(), query)


@api.route("/api/invoices.csv", "GET", query="after.cashup:MonthQuery")
def get_invoices_csv(query):
    """The month's invoices, voids and allowances (發票清冊) as a CSV."""
    return cashup.invoices_csv(api.caller(), query)
