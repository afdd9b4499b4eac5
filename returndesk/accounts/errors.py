from returndesk.core.errors import Conflict, NotFound, RateLimited, ReturndeskError, Unprocessable


class ApiKeyNotFound(NotFound):
    code, title = "api_key_not_found", "No API key has this prefix"


class SellerRequired(Unprocessable):
    code, title = "seller_required", "Only a seller key names a seller, and a seller key must"


class SupervisorForAgentsOnly(Unprocessable):
    code, title = "supervisor_for_agents_only", "Only an agent key can be a supervisor key"


class CarrierForCarriersOnly(Unprocessable):
    code, title = "carrier_for_carriers_only", "Only a carrier key names a carrier"


class InvalidCarrier(Unprocessable):
    code, title = "invalid_carrier", "A carrier is named by 1 to 50 lowercase letters, digits and hyphens"


class StaffExists(Conflict):
    code, title = "staff_exists", "A staff member already signs in with this email"


class SellerNotFound(NotFound):
    code, title = "seller_not_found", "No seller has this external id"


class StaffNotFound(NotFound):
    code, title = "not_found", "No staff member has this id"


class BuyerNotFound(NotFound):
    code, title = "not_found", "No buyer has this external id"


class SignInLinkInvalid(ReturndeskError):
    status, code, title = 410, "sign_in_link_invalid", "This sign-in link was used, has expired or never existed"


class SignInFailed(ReturndeskError):
    """Wrong password, unknown address or a deactivated account: one answer for all three, so the
    form tells nobody which addresses have accounts."""

    status, code, title = 400, "sign_in_failed", "The email or password is not right"


class TooManyAttempts(RateLimited):
    title = "Too many attempts"
