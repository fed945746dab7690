DROP FUNCTION numbering_number_voided_with_document();
