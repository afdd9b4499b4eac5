from returndesk.core.errors import NotFound, Unprocessable


class ApiKeyNotFound(NotFound):
    code, title = "api_key_not_found", "No API key has this prefix"


class SellerRequired(Unprocessable):
    code, title = "seller_required", "A seller key must name its seller, and only a seller key may"


class SupervisorForAgentsOnly(Unprocessable):
    code, title = "supervisor_for_agents_only", "Only an agent key can be a supervisor's"
