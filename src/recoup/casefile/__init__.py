"""The court case file of one account: a PDF (`pdf.render`) and a zip of the originals
(`bundle.pack`), made from a `model.CaseFile` that `recoup.services.casefile` gathers.
An adapter like `store`: it imports only `recoup.domain`, never services, web or cli."""
