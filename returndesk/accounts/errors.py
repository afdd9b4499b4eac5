from returndesk.core.errors import NotFound, Unprocessable


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
