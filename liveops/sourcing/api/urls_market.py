urlpatterns = []  # filled in by the market work
