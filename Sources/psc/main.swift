print("psc")
