from ninja import NinjaAPI

api = NinjaAPI(title="DutyDesk API", version="1", urls_namespace="api-v1")
