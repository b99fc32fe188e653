"""Listed products (挂网): every product a hospital may buy on the platform, with its national
medical-insurance code, its listed price and the price's history."""
